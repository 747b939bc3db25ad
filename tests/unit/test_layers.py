"""The layout shows the layers, and the import rules between them hold (docs/decisions.md, "Layers")."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "workshop"
LAYERS = ("core", "store", "live", "web", "exports")
# What each layer may import from the others (besides itself). The composition root (workshop/app.py),
# the entry points (cli.py, server.py) and settings.py sit above the layers.
ALLOWED = {
    "core": set(),
    "store": {"core"},
    "live": {"core", "store"},
    "exports": {"core", "store"},
    "web": {"core", "live", "exports"},
}
FRAMEWORKS = ("flask", "flask_socketio", "flask_babel", "flask_wtf", "flask_compress", "socketio", "engineio",
              "eventlet", "gevent", "werkzeug", "jinja2")


def module_name(path: Path) -> str:
    """The dotted name of a module file inside the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, name: str | None = None) -> set[str]:
    """Every module a file imports (relative imports resolved), at any depth of the file."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> str | None:
    """The layer a workshop module belongs to, None above the layers or outside the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "workshop" and parts[1] in LAYERS else None


def files_of(layer: str) -> list[Path]:
    """The Python files of one layer."""
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_is_a_package_with_modules(layer):
    assert (PACKAGE / layer / "__init__.py").is_file()
    assert files_of(layer)


def violations(layer: str, path: Path, name: str | None = None) -> list[str]:
    """The imports of one file that break its layer's rule."""
    wrong = []
    for module in imported(path, name):
        target = layer_of(module)
        if target and target != layer and target not in ALLOWED[layer]:
            wrong.append(f"{name or module_name(path)} imports {module}")
        if module.split(".")[:2] in (["workshop", "app"], ["workshop", "cli"], ["workshop", "server"], ["workshop", "supervisor"]):
            wrong.append(f"{name or module_name(path)} imports the entry point {module}")
    return wrong


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(layer):
    wrong = [line for path in files_of(layer) for line in violations(layer, path)]
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_no_web_framework():
    wrong = [f"{path.name} imports {module}" for path in files_of("core") for module in imported(path)
             if module.split(".")[0] in FRAMEWORKS]
    assert not wrong, wrong


def test_no_module_is_left_flat_beside_the_layers():
    flat = {p.stem for p in PACKAGE.glob("*.py")}
    assert flat <= {"__init__", "__main__", "app", "cli", "server", "supervisor", "settings"}, flat


def test_the_rule_checker_sees_forbidden_imports(tmp_path):
    """The checker itself: absolute and relative imports of a higher layer from the core are caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("from workshop.web import pages\nfrom ..store import sqlite\nfrom . import stats\n"
                     "def later():\n    from workshop import cli\n", encoding="utf-8")
    found = violations("core", probe, "workshop.core.probe")
    assert any("workshop.web.pages" in f for f in found)
    assert any("workshop.store.sqlite" in f for f in found)
    assert any("workshop.cli" in f for f in found)
    assert not any("workshop.core.stats" in f for f in found)
