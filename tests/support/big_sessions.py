"""Big finished sessions written straight through the store (bulk inserts), for tests and benchmarks of heavy reports."""
from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

from workshop.core import security
from workshop.core import commands
from workshop.core import state as sm
from workshop.core.questionnaire import default as default_questionnaire
from workshop.store.sqlite import DB_NAME, Store

DISCIPLINES = ["Directie", "Publiek", "Marketing", "ICT", "Collectie"]


def seed(data_dir: Path, sessions: int, people: int, seed: int = 1) -> list[tuple[str, str]]:
    """Store `sessions` finished sessions of `people` participants who answered every question; return (code, token) each."""
    questionnaire = default_questionnaire()
    rng = random.Random(seed)
    store = Store(Path(data_dir) / DB_NAME)
    made, now = [], datetime.now(timezone.utc).isoformat(timespec="seconds")  # young: a server start purges old ones
    try:
        for n in range(sessions):
            code, token = security.new_code(), security.new_token()
            state = sm.initial("self", [q.id for q in questionnaire.questions])
            for action in ("start", "results"):
                state = commands.apply(state, action)
            session_id = store.create_session(
                code=code, title=f"Grote sessie {n + 1}", language="nl", questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version, disciplines=DISCIPLINES,
                facilitator_hash=security.token_hash(token), state=state.to_dict(), now=now,
                organisation=f"Organisatie {n % 4 + 1}")
            with store.transaction() as c:
                first = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM participants").fetchone()[0]
                c.executemany(
                    "INSERT INTO participants (id, session_id, number, token_hash, nickname, discipline, joined_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(first + i, session_id, i + 1, f"{session_id}-{i}", f"Deelnemer {i + 1}",
                      rng.choice(DISCIPLINES), now) for i in range(people)])
                answers, seq = [], 0
                for i in range(people):
                    for q in questionnaire.questions:
                        seq += 1
                        answers.append((session_id, first + i, q.id, 1, rng.choice(q.options).id, seq, now))
                c.executemany("INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq,"
                              " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)", answers)
            made.append((code, token))
    finally:
        store.close()
    return made
