"""The upgrade path of docs/deployment.md (step 7) cannot mix versions, and rolls back (issue 24, point 4).

Before, `git pull` + `pip install '.[hosting]'` built from a checkout whose build/ kept the modules of the
version before: old modules lay beside the new ones, and going back gave an ImportError. Now a release is
`make wheel` (a clean export of the commit, never build/) installed with pip, which removes what the version
it replaces installed. These tests build release 0.1.0's wheel and this commit's the documented way.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.server import ROOT

pytestmark = pytest.mark.integration
OLD_RELEASE = "7a0a920"  # 0.1.0, 2026-11-22 (CHANGELOG.md)


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a command to completion (bounded); fail the test with its output if it fails."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def make_wheel(commit: str, dist: Path) -> Path:
    """`make wheel` for a commit (HEAD: the checkout's), into dist; the wheel's path."""
    if commit == "HEAD":
        run(["make", "-s", "-C", ROOT, "wheel", f"DIST={dist}", f"BUILD_PY={sys.executable}"])
    else:  # the Makefile of 0.1.0 had no wheel target: the same steps by hand
        export = dist / ".export"
        export.mkdir(parents=True)
        archive = run(["git", "-C", ROOT, "archive", "--format=tar", "-o", dist / "old.tar", commit])
        assert archive.returncode == 0
        run(["tar", "-x", "-f", dist / "old.tar", "-C", export])
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, export])
    (wheel,) = dist.glob("workshop-*.whl")
    return wheel


def modules(wheel: Path) -> set[str]:
    """The Python modules a wheel installs."""
    return {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """(0.1.0's wheel, this commit's wheel), both built as a release is."""
    if run(["git", "-C", ROOT, "cat-file", "-t", OLD_RELEASE], check=False).stdout.strip() != "commit":
        pytest.skip("the history of release 0.1.0 is not in this clone")
    return (make_wheel(OLD_RELEASE, tmp_path_factory.mktemp("old")),
            make_wheel("HEAD", tmp_path_factory.mktemp("new")))


def test_make_wheel_never_takes_a_module_left_in_build(tmp_path):
    """A module of an older version in the checkout's build/ stays out of the wheel (an in-place build takes it)."""
    stale = ROOT / "build" / "lib" / "workshop" / "stale_module_of_an_older_version.py"
    made = not stale.parent.exists()
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("raise ImportError('from an older version')\n", encoding="utf-8")
    try:
        wheel = make_wheel("HEAD", tmp_path / "dist")
    finally:
        stale.unlink()
        if made:
            for folder in (stale.parent, stale.parent.parent, stale.parent.parent.parent):
                folder.rmdir()
    names = modules(wheel)
    assert "workshop/cli.py" in names and not any("stale_module" in name for name in names)
    committed = set(run(["git", "-C", ROOT, "ls-files", "workshop/*.py", "workshop/**/*.py"]).stdout.split())
    assert names == committed  # exactly the committed modules: none from build/, none uncommitted


def test_an_in_place_build_takes_what_build_holds(tmp_path):
    """The control: what `pip install .` from a checkout with an old build/ did (so the test above can fail)."""
    source = tmp_path / "checkout"
    source.mkdir()
    run(["sh", "-c", f"git -C {ROOT} archive HEAD | tar -x -C {source}"])
    old = source / "build" / "lib" / "workshop" / "stale_module_of_an_older_version.py"
    old.parent.mkdir(parents=True)
    old.write_text("raise ImportError('from an older version')\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", source])
    (wheel,) = (tmp_path / "dist").glob("workshop-*.whl")
    assert "workshop/stale_module_of_an_older_version.py" in modules(wheel)


def venv_with(tmp_path: Path) -> Path:
    """A fresh venv without pip (this environment's pip installs into it, from files only)."""
    path = tmp_path / "env"
    run([sys.executable, "-m", "venv", "--without-pip", path])
    return path


def install(venv: Path, wheel: Path) -> None:
    """Step 7's install of a wheel: `pip install --force-reinstall --no-deps WHEEL` (no index: files only)."""
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
         "--no-index", "--force-reinstall", wheel])


def installed(venv: Path) -> set[str]:
    """The .py files of the installed package."""
    purelib = Path(run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                   .stdout.strip())
    return {p.relative_to(purelib).as_posix() for p in (purelib / "workshop").rglob("*.py")}


def test_upgrade_then_roll_back_leaves_exactly_one_version(wheels, tmp_path):
    old, new = wheels
    assert modules(old) - modules(new) and modules(new) - modules(old)  # files came and went between them
    venv = venv_with(tmp_path)
    install(venv, old)
    assert installed(venv) == modules(old)
    install(venv, new)  # the upgrade
    assert installed(venv) == modules(new)  # no module of 0.1.0 left beside the new ones
    install(venv, old)  # the rollback
    assert installed(venv) == modules(old)
    install(venv, new)
    assert installed(venv) == modules(new)
