"""Follow-up links between sessions (sessions.follows): a part of Store (no sqlite3 import here)."""
from __future__ import annotations

from typing import Any


class FollowupRows:
    """Reads and writes of which session follows up which; mixed into workshop.store.sqlite.Store."""

    def follows(self, session_id: int) -> str | None:
        """The code of the earlier session a session follows up now, None when it follows none (or is gone)."""
        row = self._one("SELECT follows FROM sessions WHERE id = ?", (session_id,))
        return row["follows"] if row else None

    def followups(self, code: str) -> list[dict[str, Any]]:
        """The sessions that follow up the session with this code, oldest first: code, title, created_at."""
        return [dict(r) for r in self._all("SELECT code, title, created_at FROM sessions WHERE follows = ?"
                                            " ORDER BY created_at, id", (code,))]

    def detach_followup(self, session_id: int, followup_code: str, now: str) -> bool:
        """Make a follow-up of a session follow none (its copied steps stay its own); False when it was not one."""
        with self.session_write(session_id) as c:
            code = c.execute("SELECT code FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
            cur = c.execute("UPDATE sessions SET follows = NULL, updated_at = ? WHERE code = ? AND follows = ?",
                            (now, followup_code, code))
            return cur.rowcount == 1
