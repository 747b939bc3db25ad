"""The layout shows the layers, the import rules between them hold, and no modules import each other in a circle
(docs/decisions.md, "Layers")."""
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


def from_module(node: ast.ImportFrom, package: str) -> str:
    """The module a `from ... import` names, a relative one resolved against the importing file's package."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imported(path: Path, name: str | None = None) -> set[str]:
    """Every module a file imports (relative imports resolved), at any depth of the file."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = from_module(node, package)
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


# No import cycles: every import counts, at any depth of a file (inside a function, under TYPE_CHECKING): an import
# hidden in a function is still a dependency, and a cycle means two modules that cannot be understood apart.


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def dependencies(path: Path, name: str, modules: set[str]) -> dict[str, int]:
    """The package's modules a file imports, each with the line of its first import.

    `from a import b` depends on the module a.b when there is one, else on a; importing a submodule is not
    counted as depending on its parent package's __init__ (Python runs it, but it holds no code of its own here).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = from_module(node, package)
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_graph(files: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module: {module it imports: line}."""
    names = set(files)
    return {name: dependencies(path, name, names) for name, path in files.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def describe(component: list[str], graph: dict[str, dict[str, int]], files: dict[str, Path]) -> str:
    """One cycle with each of its imports and where it is."""
    lines = [" <-> ".join(component)]
    for name in component:
        for target, line in sorted(graph[name].items()):
            if target in component:
                lines.append(f"    {files[name].relative_to(PACKAGE.parent)}:{line} imports {target}")
    return "\n".join(lines)


def test_no_modules_import_each_other_in_a_circle():
    files = module_files()
    graph = import_graph(files)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph, files) for c in found)


def test_the_cycle_finder_sees_cycles_hidden_in_functions_and_type_checking(tmp_path):
    """The finder itself, on a package of its own: a cycle through a function-level import, one through a
    TYPE_CHECKING import, and a module that both import without a cycle."""
    root = tmp_path / "workshop"
    (root / "live").mkdir(parents=True)
    sources = {
        "__init__.py": "",
        "live/__init__.py": "",
        "live/service.py": "from workshop.live import room\ndef later():\n    from workshop.live.activities import X\n",
        "live/activities.py": "from workshop.live.service import stored\n",
        "live/timers.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .notifier import Notifier\n",
        "live/notifier.py": "from . import timers\n",
        "live/room.py": "",
    }
    for relative, text in sources.items():
        (root / relative).write_text(text, encoding="utf-8")
    files = {".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
             for p in root.rglob("*.py")}
    graph = {name: dependencies(path, name, set(files)) for name, path in files.items()}
    assert sorted(cycles(graph)) == [["workshop.live.activities", "workshop.live.service"],
                                     ["workshop.live.notifier", "workshop.live.timers"]]
