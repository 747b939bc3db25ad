"""Build the wheel from a fresh copy of the checkout and install it into a fresh venv (tests/integration)."""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

from tests.support.server import ROOT

# What the top of a checkout holds besides what a build needs: environments, runtime data, earlier builds.
NOT_FOR_THE_BUILD = {".git", ".venv", "build", "dist", "sessions", "test-artifacts", ".pytest_cache", ".hypothesis",
                     "bench", "docs"}


def not_for_the_build(folder: str, names: list[str]) -> list[str]:
    """The names in a folder of the checkout that the copy to build from leaves out."""
    top = Path(folder) == ROOT
    return [n for n in names if n == "__pycache__" or n.endswith(".egg-info") or top and n in NOT_FOR_THE_BUILD]


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python or the app at the checkout."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("WORKSHOP_")}


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a command to completion (bounded), failing the test with its output if it fails."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                          env=clean_env(), **kwargs)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def build_wheel(tmp_path_factory) -> Path:
    """Build the wheel with `pip wheel --no-deps` from a fresh copy of the checkout.

    A copy, because setuptools never empties `build/`: a file left there by an earlier build would land in
    the wheel and hide a missing package-data line."""
    source = tmp_path_factory.mktemp("source") / "workshop"
    shutil.copytree(ROOT, source, ignore=not_for_the_build)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, "."], cwd=source)
    (built,) = out.glob("workshop-*.whl")
    return built


def install_wheel(wheel: Path, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout holding the wheel; the dependencies come from this test's environment.

    The venv has no pip (no download): this environment's pip installs into it (`pip --python`), and a .pth
    file adds this environment's site-packages after the venv's own, so the wheel's `workshop` comes first
    (the .pth files there, such as an editable install of the checkout, are not run)."""
    path = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", "--without-pip", path])
    python = path / "bin" / "python"
    own = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (own / "_workshop_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel])
    return path


