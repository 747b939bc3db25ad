"""docs/security.md names only tests that exist, and covers every hardening test."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"`(tests/hardening/test_\w+\.py)::(test_\w+)`")


def defined_tests(path: Path) -> set[str]:
    """Names of the module-level test functions and test objects in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return {n for n in names if n.startswith("test_")}


def test_every_test_named_in_the_security_doc_exists():
    references = REFERENCE.findall(DOC.read_text(encoding="utf-8"))
    assert references
    for file, name in references:
        assert name in defined_tests(ROOT / file), f"{file}::{name}"


def test_every_hardening_test_is_named_in_the_security_doc():
    named = set(REFERENCE.findall(DOC.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "tests" / "hardening").glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        for name in defined_tests(path):
            if name != "test_the_fuzzers_cover_every_route_and_event":
                assert (f"tests/hardening/{path.name}", name) in named, f"{path.name}::{name} is not in docs/security.md"


ADVERSARY = re.compile(r"`(tests/adversary/test_\w+\.py)::(test_\w+)`")


def test_every_adversary_test_named_in_the_security_doc_exists():
    references = ADVERSARY.findall(DOC.read_text(encoding="utf-8"))
    assert references
    for file, name in references:
        assert name in defined_tests(ROOT / file), f"{file}::{name}"


def test_every_adversary_test_is_named_in_the_security_doc():
    """Each attack test is named, as `file::test` or as `test` in a section that names its file."""
    doc = DOC.read_text(encoding="utf-8")
    for path in sorted((ROOT / "tests" / "adversary").glob("test_*.py")):
        for name in defined_tests(path):
            full = f"`tests/adversary/{path.name}::{name}`"
            assert full in doc or (f"`{name}`" in doc and f"tests/adversary/{path.name}" in doc), \
                f"{path.name}::{name} is not in docs/security.md"
