"""Notes typed on several devices: a version per note; a save based on an older version keeps both texts."""
from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.settings import Settings
from workshop.core import notes
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import Rejected
from workshop.live.service import Live
from workshop.store.sqlite import SCHEMA_VERSION, Store

MARKS = ("<<A", "==B", ">>C")
lines = st.lists(st.text(alphabet="abc xyz", min_size=0, max_size=6), min_size=0, max_size=5).map("\n".join)


def test_a_save_on_the_stored_version_replaces_it_and_raises_the_version():
    assert notes.save("oud", 3, "nieuw", 3) == notes.Saved("nieuw", 4, False)
    assert notes.save("zelfde", 3, "zelfde", 1) == notes.Saved("zelfde", 3, False)  # nothing to store


def test_a_save_on_an_older_version_keeps_both_texts_with_the_lines_they_share_once():
    saved = notes.save("Begin\nAnna zei dit\nEinde", 4, "Begin\nBram zei dat\nEinde", 3, MARKS)
    assert saved.conflict and saved.version == 5
    assert saved.text == "Begin\n<<A\nAnna zei dit\n==B\nBram zei dat\n>>C\nEinde"


def test_an_empty_stale_save_never_clears_the_newer_text():
    assert notes.save("Anna's tekst", 2, "", 1) == notes.Saved("Anna's tekst", 2, True)


@given(stored=lines, mine=lines)
def test_a_merge_loses_no_line_of_either_text(stored, mine):
    merged = notes.merge(stored, mine, MARKS)
    for line in stored.splitlines() + mine.splitlines():
        assert not line.strip() or line in merged.splitlines()


@pytest.fixture
def live(make_store):
    service = Live(make_store(), default_questionnaire(), Settings())
    return service


def test_two_devices_saving_on_the_same_version_both_keep_their_text(live):
    room, _ = live.create("Notities", "paced")
    first = live.save_note(room, "", "Laptop 1 typte dit", 0)
    assert first == {"text": "Laptop 1 typte dit", "version": 1, "conflict": False}
    second = live.save_note(room, "", "Laptop 2 typte dat", 0)  # typed on the empty note, saved later
    assert second["conflict"] and second["version"] == 2
    assert "Laptop 1 typte dit" in second["text"] and "Laptop 2 typte dat" in second["text"]
    assert live.store.note(room.id, "") == (second["text"], 2)
    assert live.save_note(room, "", "Opgeruimd", 2) == {"text": "Opgeruimd", "version": 3, "conflict": False}


@pytest.mark.parametrize("version", [-1, "2", 1.5, True, None, 2**60])
def test_a_version_that_is_not_a_count_is_refused(live, version):
    room, _ = live.create("Notities", "paced")
    with pytest.raises(Rejected) as refused:
        live.save_note(room, "", "tekst", version)
    assert refused.value.field == "version"


def test_a_database_from_before_note_versions_keeps_its_notes_as_version_1(tmp_path):
    path = tmp_path / "old.sqlite3"
    store = Store(path)
    session_id = store.create_session(code="K7QX2M", title="Oud", language="nl", questionnaire_id="digitaal-dna",
                                      questionnaire_version="1", disciplines=[], facilitator_hash="h", state={},
                                      now="2025-01-01T00:00:00+00:00")
    store.save_note(session_id, "", "Wat opviel", "2025-01-01T00:00:01+00:00")
    store.close()
    with sqlite3.connect(path) as db:  # what version 5 wrote: notes without a version
        db.execute("ALTER TABLE notes DROP COLUMN version")
        db.execute("PRAGMA user_version=5")
    for _ in range(2):  # opening twice changes nothing more
        store = Store(path)
        assert store.note(session_id, "") == ("Wat opviel", 1)
        assert store.note_versions(session_id) == {"": 1}
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
