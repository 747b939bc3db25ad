"""The activities' rows (programme state, challenge picks, ideas, dots): a part of Store (no sqlite3 import here)."""
from __future__ import annotations

import json
from typing import Any


class ActivityRows:
    """Reads and writes of the activities' tables; mixed into workshop.store.sqlite.Store."""

    def save_activities(self, session_id: int, state: dict[str, Any], now: str) -> None:
        """Store a session's activity state."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO activities (session_id, state, updated_at) VALUES (?, ?, ?)"
                      " ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                      (session_id, json.dumps(state, ensure_ascii=False), now))
            self._touch(c, session_id, now)

    def activities(self, session_id: int) -> dict[str, Any] | None:
        """A session's stored activity state, None when it has none yet."""
        row = self._one("SELECT state FROM activities WHERE session_id = ?", (session_id,))
        return json.loads(row["state"]) if row else None

    def save_picks(self, session_id: int, participant_id: int, picks: list[str], now: str) -> None:
        """Store (or replace) a participant's challenge picks."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO challenge_picks (session_id, participant_id, picks, updated_at) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT (participant_id) DO UPDATE SET picks = excluded.picks,"
                      " updated_at = excluded.updated_at", (session_id, participant_id, json.dumps(picks), now))
            self._touch(c, session_id, now)

    def picks(self, session_id: int) -> dict[int, list[str]]:
        """Every participant's challenge picks."""
        return {r["participant_id"]: json.loads(r["picks"]) for r in
                self._all("SELECT participant_id, picks FROM challenge_picks WHERE session_id = ?", (session_id,))}

    def add_idea(self, session_id: int, participant_id: int, prompt: str, text: str, status: str, now: str) -> int:
        """Insert an idea; return its id."""
        with self.session_write(session_id) as c:
            cur = c.execute("INSERT INTO ideas (session_id, participant_id, prompt, text, status, authors, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (session_id, participant_id, prompt, text, status, json.dumps([participant_id]), now))
            self._touch(c, session_id, now)
            return int(cur.lastrowid)

    def save_ideas(self, session_id: int, ideas: list[dict[str, Any]], dots: dict[int, dict[int, int]],
                   now: str) -> None:
        """Store changed ideas and the changed voters' dots in one transaction (moderation, merge, undo)."""
        with self.session_write(session_id) as c:
            c.executemany("UPDATE ideas SET text = ?, status = ?, merged_into = ?, authors = ? WHERE id = ?"
                          " AND session_id = ?",
                          [(i["text"], i["status"], i["merged_into"], json.dumps(i["authors"]), i["id"], session_id)
                           for i in ideas])
            self._write_dots(c, session_id, dots)
            self._touch(c, session_id, now)

    def ideas(self, session_id: int) -> list[Any]:
        """Every idea of a session in order of arrival."""
        return self._all("SELECT * FROM ideas WHERE session_id = ? ORDER BY id", (session_id,))

    def save_dots(self, session_id: int, participant_id: int, placed: dict[int, int], now: str) -> None:
        """Replace one voter's dots."""
        with self.session_write(session_id) as c:
            self._write_dots(c, session_id, {participant_id: placed})
            self._touch(c, session_id, now)

    @staticmethod
    def _write_dots(c: Any, session_id: int, dots: dict[int, dict[int, int]]) -> None:
        """Replace the dots of some voters inside the caller's transaction."""
        for pid, placed in dots.items():
            c.execute("DELETE FROM dots WHERE participant_id = ? AND session_id = ?", (pid, session_id))
            c.executemany("INSERT INTO dots (session_id, participant_id, idea_id, count) VALUES (?, ?, ?, ?)",
                          [(session_id, pid, idea, n) for idea, n in placed.items() if n])

    def dots(self, session_id: int) -> dict[int, dict[int, int]]:
        """Every voter's dots."""
        result: dict[int, dict[int, int]] = {}
        for r in self._all("SELECT participant_id, idea_id, count FROM dots WHERE session_id = ?", (session_id,)):
            result.setdefault(r["participant_id"], {})[r["idea_id"]] = r["count"]
        return result
