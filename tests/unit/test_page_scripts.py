"""Each page's list of scripts (pages.SCRIPTS) is exactly its entry module js/PAGE.js and what that imports:
the template preloads that list and the page data carries the strings of that list (jsstrings.for_scripts), so a
module left out would load without its strings, and one listed but never imported would be fetched for nothing."""
from __future__ import annotations

import re

import pytest

from workshop import settings
from workshop.web.pages import SCRIPTS

STATIC = settings.ROOT / "static"
IMPORT = re.compile(r"""^import\s[^'"]*['"]\./([\w.-]+\.js)['"];""", re.M)


def imported(entry: str) -> set[str]:
    """js/ paths of the module and everything it imports, directly or not."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend("js/" + name for name in IMPORT.findall((STATIC / path).read_text(encoding="utf-8")))
    return seen


@pytest.mark.parametrize("page", [page for page, scripts in SCRIPTS.items() if scripts])
def test_a_pages_scripts_are_its_entry_module_and_what_it_imports(page):
    ours = {src for src in SCRIPTS[page] if src.startswith("js/")}
    assert f"js/{page}.js" in ours
    assert imported(f"js/{page}.js") == ours


def test_every_script_is_a_module_of_some_page():
    used = {src for scripts in SCRIPTS.values() for src in scripts}
    assert {f"js/{path.name}" for path in (STATIC / "js").glob("*.js")} <= used
