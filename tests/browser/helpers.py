"""Helpers for the browser tests: sessions, role pages, QR decoding, screenshots and contrast."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import requests

from workshop.core.questionnaire import default as default_questionnaire

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 900}
SMALL_PHONE = {"width": 320, "height": 568}
LARGE_PHONE = {"width": 390, "height": 844}


def questionnaire(lang: str) -> dict[str, Any]:
    """The questionnaire as the pages get it, in one language."""
    return default_questionnaire().to_client(lang)


def create_session(base_url: str, **fields: Any) -> dict[str, Any]:
    """Create a session through the API and return its reply."""
    body = {"title": "Museum De Waag", "pacing": "paced", "language": "nl", **fields}
    response = requests.post(base_url + "/api/sessions", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


# A module of the page's own (static/js/NAME), as the page loaded it: the scripts define no globals, so a test
# reaches a module's exports by importing it again, which gives the same instance (arg: the file name).
MODULE = "(name) => import(new URL(name, document.querySelector('script[type=module]').src).href)"


def module_call(page, name: str, body: str):
    """Evaluate body (a JS expression over `m`, the module static/js/NAME as the page loaded it) in the page."""
    return page.evaluate(f"async () => {{ const m = await ({MODULE})({name!r}); return {body}; }}")


def everyone_answered(fac, question: str | None = None) -> None:
    """Wait until the facilitator page has every answer in: results then need no question first (issue 22).

    With `question`, also until the page has that question in focus: a page still showing the question before
    (its state for the next one not yet in, on a busy machine) has every answer of that one in, and a click a
    moment later would ask "6 of 8 answered" about the new one (seen in full runs).
    """
    focus = "null" if question is None else repr(question)
    fac.wait_for_function(f"async () => {{ const m = await ({MODULE})('manage.js'); const q = {focus}; "
                          "return m.stillAnsweringNow() === null && (q === null || m.focusNow() === q); }")


def record_dialogs(page, accept: bool = False) -> list[str]:
    """Answer every question the page asks from now on (dismiss, as Playwright does when nobody listens, or
    accept) and return the list their texts are added to: a failure can then say whether the page asked
    instead of acting (e.g. "6 van 8 beantwoord")."""
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()
    page.on("dialog", answer)
    return asked


def console_now(fac) -> str:
    """What the facilitator page holds now (its focus, who it thinks is still answering, its status line),
    for a failure message."""
    return module_call(fac, "manage.js", "JSON.stringify({focus: m.focusNow(), still: m.stillAnsweringNow(),"
                                         " status: document.getElementById('m-msg').textContent})")


def accept_dialogs(page) -> list[str]:
    """Say yes to every question the page asks from now on; return the list their texts are added to."""
    return record_dialogs(page, accept=True)


def decode_qr(png: bytes) -> list[str]:
    """The texts of every QR code found in a screenshot (PNG bytes)."""
    import zxingcpp
    from PIL import Image

    with Image.open(BytesIO(png)) as image:
        return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def shot(page, name: str, *, full_page: bool = False) -> bytes:
    """Save a screenshot as test-artifacts/screenshots/NAME.png and return its PNG bytes.

    The file is replaced in one step, so a parallel run never leaves a half-written image.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(full_page=full_page, animations="disabled", caret="hide")
    path = SHOTS / f"{name}.png"
    tmp = path.with_name(f".{name}.{os.getpid()}.png")
    tmp.write_bytes(png)
    os.replace(tmp, path)
    return png


def switch_language(page, lang: str) -> None:
    """Tap the page's language toggle and wait until the page is back in that language."""
    assert page.evaluate("() => document.documentElement.lang") != lang, f"the page is already in {lang}"
    page.locator(f"a.lang-toggle[hreflang='{lang}']").first.click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


@dataclass
class Opened:
    """A page with its context and a name for messages."""

    name: str
    context: Any
    page: Any


class Pages:
    """Opens the pages of a test in their own browser contexts and closes them at the end."""

    def __init__(self, browser):
        """Remember the browser; nothing is opened yet."""
        self.browser = browser
        self.opened: list[Opened] = []
        self.errors: list[str] = []
        self.console: list[str] = []

    def _open(self, name: str, locale: str = "nl-NL", **context_options: Any):
        """A new context with one page whose uncaught JavaScript errors are collected."""
        context = self.browser.new_context(locale=locale, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc, name=name: self.errors.append(f"{name}: {exc}"))
        page.on("console", lambda msg, name=name: msg.type == "error" and self.console.append(
            f"{name}: {msg.text} {msg.location.get('url', '')}"))
        self.opened.append(Opened(name, context, page))
        return page

    def phone(self, name: str, viewport: dict[str, int], locale: str = "nl-NL"):
        """A phone: small viewport, touch, mobile, a sharp screen (its browser asks for `locale`)."""
        return self._open(name, locale, viewport=viewport, has_touch=True, is_mobile=True, device_scale_factor=2)

    def projector(self, url: str | None = None):
        """The shared screen at 1920×1080."""
        page = self._open("projector", viewport=PROJECTOR)
        if url:
            page.goto(url)
        return page

    def facilitator(self, url: str | None = None):
        """The facilitator's laptop; opening the facilitator link signs it in and lands on the manage page."""
        page = self._open("facilitator", viewport=LAPTOP, accept_downloads=True)
        if url:
            page.goto(url)
            assert re.search(r"/s/\w+/manage$", page.url), page.url
        return page

    def page_errors(self) -> list[str]:
        """Uncaught JavaScript errors seen on any page."""
        return list(self.errors)

    def close(self) -> None:
        """Close every context this test opened."""
        for item in self.opened:
            try:
                item.context.close()
            except Exception:  # the browser may already be gone after a failure
                pass
        self.opened.clear()


# --- colours and contrast (WCAG 2) -------------------------------------------

EFFECTIVE_COLOURS = """
el => {
  const parse = s => { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let background = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i -= 1) background = over(layers[i], background);
  const colour = over(parse(getComputedStyle(el).color), background);
  return {colour: colour.slice(0, 3), background: background.slice(0, 3),
          size: getComputedStyle(el).fontSize, text: el.textContent.trim().slice(0, 60)};
}
"""


def luminance(rgb: list[float]) -> float:
    """Relative luminance of an sRGB colour (0-255 channels)."""
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: list[float], bg: list[float]) -> float:
    """WCAG contrast ratio between two colours."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_contrast(locator) -> tuple[float, dict[str, Any]]:
    """Contrast of an element's text against the background it is painted on."""
    info = locator.evaluate(EFFECTIVE_COLOURS)
    return contrast(info["colour"], info["background"]), info


# --- the facilitator console's panels (templates/manage.html, static/js/panels.js) -------------------------

PANELS = ("questions", "projector", "people", "activities", "notes", "downloads")


def show_panel(page, name: str) -> None:
    """Open one panel of the facilitator console by its tab, as the facilitator does, and wait until it shows."""
    assert name in PANELS, name
    page.locator(f"#t-{name}").click()
    page.wait_for_function("id => !document.getElementById(id).hidden", arg=f"p-{name}")


def in_panel(page, selector: str):
    """The console element `selector` (Playwright's `>>` chains allowed), with the panel that holds it opened first.

    Hidden panels keep their elements in the DOM; a facilitator opens the panel before clicking in it, and so
    does the test.
    """
    css = selector.split(" >> ")[0]
    page.wait_for_selector(css, state="attached")
    panel = page.evaluate("s => { const p = document.querySelector(s).closest('[role=tabpanel]');"
                          " return p && p.hidden ? p.id : null; }", css)
    if panel:
        show_panel(page, panel[len("p-"):])
    return page.locator(selector)
