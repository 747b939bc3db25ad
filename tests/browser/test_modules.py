"""The pages' own scripts are ES modules that define no globals (issue 22): each page loads one entry module
(`<script type="module">`, the rest through imports), no classic script of ours, and its window holds the
same names with our scripts as without them."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from .helpers import SMALL_PHONE, create_session

pytestmark = pytest.mark.browser

OURS = re.compile(r"/static/js/[\w.-]+\.js")
VENDOR = {"io"}  # socket.io's client: a classic vendor script, its one global


def pages_of(server) -> dict[str, tuple[str, str]]:
    """Each page with scripts: its URL and a selector that shows once its scripts have drawn it."""
    session = create_session(server.url)
    return {
        "start": (server.url + "/", "form"),
        "phone": (session["join_url"], "#v-join:not([hidden])"),
        "projector": (session["projector_url"], "#v-lobby .sc-code"),
        "facilitator": (session["facilitator_url"], "#stage-badge:not(:empty)"),
    }


def script_tags(html: str) -> list[str]:
    """The opening tags of every script element in a page."""
    return re.findall(r"<script\b[^>]*>", html)


def test_every_page_loads_its_own_scripts_as_one_entry_module_and_nothing_classic(server):
    for name, (url, _) in pages_of(server).items():
        html = requests.get(url, timeout=10).text
        ours = [tag for tag in script_tags(html) if OURS.search(tag)]
        assert len(ours) == 1, (name, ours)  # one entry module; it imports the rest
        assert 'type="module"' in ours[0], (name, ours)
        for tag in script_tags(html):  # besides it: the page data (JSON, not run) and the vendor library
            assert 'type="application/json"' in tag or "/static/vendor/" in tag or OURS.search(tag), (name, tag)
        preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)"', html)
        assert all(OURS.search(href) for href in preloaded), (name, preloaded)


def window_names(page, url: str, ready: str) -> set[str]:
    """The window's own property names once the page at url is drawn."""
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()
    return set(page.evaluate("() => Object.getOwnPropertyNames(window)"))


def test_our_scripts_define_no_global_on_any_page(server, pages):
    for name, (url, ready) in pages_of(server).items():
        page = pages.phone(name, SMALL_PHONE) if name == "phone" else pages.facilitator()
        with_ours = window_names(page, url, ready)
        bare = pages.phone(name + " without our scripts", SMALL_PHONE) if name == "phone" else pages.facilitator()
        # Our scripts arrive empty (not refused: no error to report), so the vendor library still runs.
        bare.route(OURS, lambda route: route.fulfill(status=200, content_type="text/javascript", body=""))
        bare.goto(url)
        expect(bare.locator("main")).to_be_attached()
        bare.wait_for_load_state("load")
        without = set(bare.evaluate("() => Object.getOwnPropertyNames(window)"))
        assert with_ours - without == set(), (name, sorted(with_ours - without))
        assert VENDOR <= with_ours or name == "start", name  # the comparison sees a classic script's global
