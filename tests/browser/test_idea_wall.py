"""The idea wall of a full room on the projector: 36 ideas of every length fit one 1080p screen, and at 1024×768
the wall pages through them in type readable from the back (the sizes of test_projector_type.py)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot
from .projector_room import FilledRoom
from .test_projector_type import TEXTS, settle

pytestmark = pytest.mark.browser

SHORT = ["Podcast over collectie", "Online kaartverkoop", "Digitale nieuwsbrief", "QR-codes bij de zalen",
         "Roosters online", "Wifi in de foyer", "Video na afloop", "Collectie op Wiki",
         "Chat voor vragen", "Eén agenda voor allen", "Scholen uitnodigen", "Data over bezoekers"]
WORDS = ("een podcast over de collectie met verhalen van bezoekers en medewerkers die samen nadenken over "
         "digitale kaartverkoop nieuwsbrief planning overleg bereikbaarheid archief website toegankelijk").split()


def short_idea(n: int) -> str:
    """A sticky-note idea (15 to 35 characters), no two alike."""
    return f"{n + 1}. {SHORT[n % len(SHORT)]}" + ("" if n < 12 else " (team)" if n < 24 else " 2027")


def long_idea(n: int) -> str:
    """A long idea: 90 to 140 characters (the first the longest allowed), no two alike."""
    size = 140 if n == 0 else 90 + (n * 37) % 51
    words = WORDS[n % len(WORDS):] + WORDS + WORDS
    return (f"Lang {n + 1}: " + " ".join(words))[:size].rstrip()


def visible_cards(page) -> list[str]:
    """The texts of the wall's cards on the current page."""
    return page.locator("#sc-wall .sc-card:not([hidden])").all_inner_texts()


def readable(page, minimum: float) -> list[dict]:
    """Texts below the minimum, or cut off, on the page as it is drawn now."""
    return [t for t in page.evaluate(TEXTS) if t["size"] < minimum - 0.05 or t["cut"]]


def submit(room: FilledRoom, texts: list[str], sent_before: int = 0) -> None:
    """The room's phones send these ideas in turn after `sent_before` others (auto-approved: each goes on the wall)."""
    for n, text in enumerate(texts, start=sent_before):
        phone, _pid = room.phones[n % len(room.phones)]
        sent = phone.call("idea", {"text": text, "prompt": "project"}, namespace="/participant", timeout=10)
        assert sent["ok"], sent


def test_thirty_six_short_ideas_fit_at_1080p_and_long_ones_page_readably_at_1024x768(server, pages):
    room = FilledRoom(server.url, size=16)
    try:
        room.command("start")
        room.command("results")  # the activities follow the quiz
        room.fac.call("activity", {"action": "auto_approve", "enabled": True}, namespace="/facilitator", timeout=10)
        for action in ("open", "show"):  # open the ideas and put them on the projector
            ack = room.fac.call("activity", {"action": action, "activity": "ideas"}, namespace="/facilitator",
                                timeout=10)
            assert ack["ok"], ack
        short = [short_idea(n) for n in range(36)]
        assert max(len(t) for t in short) <= 35
        submit(room, short)
        # Closed: the wall alone (while ideas come in, the prompts take the top of the screen: issue 21).
        room.fac.call("activity", {"action": "close", "activity": "ideas"}, namespace="/facilitator", timeout=10)
        projector = pages.projector(room.session["projector_url"])
        projector.set_viewport_size({"width": 1920, "height": 1080})
        expect(projector.locator("#sc-wall .sc-card")).to_have_count(36)
        settle(projector)
        shown = visible_cards(projector)
        assert len(shown) == 36, f"only {len(shown)} of 36 short ideas fit at 1920×1080"
        assert shown[0] == short[-1]  # newest first
        assert projector.locator("#sc-page").is_hidden()  # one page: no page number
        assert not readable(projector, 32), readable(projector, 32)[:4]
        shot(projector, "projector-idea-wall-36-1080")

        room.fac.call("activity", {"action": "open", "activity": "ideas"}, namespace="/facilitator", timeout=10)
        expect(projector.locator(".sc-prompts li")).to_have_count(4)  # open again: the prompts are back
        long = [long_idea(n) for n in range(12)]
        assert max(len(t) for t in long) == 140
        submit(room, long, sent_before=len(short))
        texts = short + long
        expect(projector.locator("#sc-wall .sc-card")).to_have_count(48)
        projector.set_viewport_size({"width": 1024, "height": 768})
        settle(projector)
        first_page = visible_cards(projector)
        assert 0 < len(first_page) < 48 and first_page[0] == long[-1]
        expect(projector.locator("#sc-page")).to_have_text(re.compile(r"^1/\d+$"))
        assert not readable(projector, 24), readable(projector, 24)[:4]
        shot(projector, "projector-idea-wall-48-1024")
        seen = set(first_page)
        total = int(projector.locator("#sc-page").inner_text().split("/")[-1])
        for _ in range(total - 1):  # each page stays PAGE_SECONDS (10 s), then the next one comes
            expect(projector.locator("#sc-wall .sc-card:not([hidden])").first).not_to_have_text(
                visible_cards(projector)[0], timeout=15_000)
            settle(projector)
            assert not readable(projector, 24), readable(projector, 24)[:4]
            seen.update(visible_cards(projector))
        assert seen == set(texts), f"{len(set(texts) - seen)} ideas never shown whole at 1024×768"
    finally:
        room.close()
