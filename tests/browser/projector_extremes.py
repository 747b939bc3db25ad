"""Projector sessions at the extremes a room can bring, written straight into the store before the server starts.

Each case is its own session whose stored state already shows one projector view (the facilitator's actions
applied through the real state machines), so a test opens its projector link and measures; no socket clients.
The figures the projector must show (people per total, groups, names) come back with each case, from the seed.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workshop.core import activities as act
from workshop.core import commands
from workshop.core import security
from workshop.core import state as sm
from workshop.core.questionnaire import default as default_questionnaire
from workshop.store.secret import installation_secret
from workshop.store.sqlite import DB_NAME, Store

QN = default_questionnaire()
QIDS = [q.id for q in QN.questions]
TWO_OPTIONS = next(q.id for q in QN.questions if len(q.options) == 2)


def forty(text: str) -> str:
    """A text padded (or cut) to exactly 40 characters, for names at the nickname and discipline limits."""
    return (text + " " + "x" * 40)[:40].rstrip().ljust(40, "x")


# 12 discipline groups with 40-character names, long Dutch words among them ("Bedrijfsvoering").
DISCIPLINES = [forty(f"{word} {n:02d} en aanverwante werkzaamheden") for n, word in enumerate(
    ["Bedrijfsvoering", "Publieksbegeleiding", "Collectiebeheer", "Informatievoorziening", "Marketingcommunicatie",
     "Tentoonstellingen", "Educatieprogramma's", "Directiesecretariaat", "Vrijwilligerscoördinatie",
     "Fondsenwerving", "Restauratieatelier", "Huisvestingszaken"], start=1)]
CHALLENGE = ("Uitdaging {n}: de samenwerking tussen collectiebeheer, publieksbegeleiding en bedrijfsvoering "
             "loopt vast op verouderde systemen en te weinig tijd")
CHALLENGES = [(CHALLENGE.format(n=n) + " voor vernieuwing")[:140].rstrip().ljust(140, ".") for n in range(1, 13)]
IDEA = ("Idee {n}: een digitale publieksreis die bezoekers vooraf, tijdens en na hun bezoek begeleidt, met "
        "collectieverhalen en vrijwilligers erbij")


def idea_text(n: int) -> str:
    """An idea of exactly 140 characters."""
    return (IDEA.format(n=n) + " en nog veel meer woorden")[:140].rstrip().ljust(140, ".")


def answers_for(total: int) -> dict[str, str]:
    """Options whose points add up to `total` (the first such combination)."""
    def search(i: int, left: int) -> list[str] | None:
        if i == len(QN.questions):
            return [] if left == 0 else None
        for option in QN.questions[i].options:
            if option.points <= left:
                rest = search(i + 1, left - option.points)
                if rest is not None:
                    return [option.id, *rest]
        return None
    picked = search(0, total)
    assert picked is not None, total
    return dict(zip(QIDS, picked))


@dataclass
class Case:
    """One seeded session: its code, what the projector shows and the figures behind it."""

    name: str
    code: str
    expect: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    lang: str = "nl"
    kind: str = ""  # the view a text case shows (its checks); "" for the extremes, whose name says it


class Seeder:
    """Writes the cases into a data directory's store (call before the server starts)."""

    def __init__(self, data_dir: Path):
        """Open the store of data_dir."""
        self.data_dir = Path(data_dir)
        self.store = Store(self.data_dir / DB_NAME)
        self.now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.rng = random.Random(21)
        self.cases: list[Case] = []

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def session(self, name: str, state: sm.SessionState, *, people: int = 0, totals: list[int] | None = None,
                rounds: dict[str, int] | None = None, follows: str | None = None, carried: list[dict] | None = None,
                activities: act.ActivityState | None = None, lang: str = "nl", kind: str = "",
                **expect: Any) -> tuple[Case, int, list[int]]:
        """Store a session in `lang` with `people` participants (long names, 12 disciplines) whose totals are `totals`."""
        code = security.new_code()
        sid = self.store.create_session(
            code=code, title="Museum De Waag, jaarlijkse verdiepingssessie digitale transformatie", language=lang,
            questionnaire_id=QN.id, questionnaire_version=QN.version, disciplines=DISCIPLINES,
            facilitator_hash=security.token_hash(security.new_token()), state=state.to_dict(), now=self.now,
            organisation="Museum De Waag", follows=follows, carried=carried)
        ids: list[int] = []
        with self.store.transaction() as c:
            first = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM participants").fetchone()[0]
            ids = [first + i for i in range(people)]
            c.executemany(
                "INSERT INTO participants (id, session_id, number, token_hash, nickname, discipline, joined_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(pid, sid, i + 1, f"{sid}-{i}", forty(f"Deelnemer {i + 1:03d} met een lange naam"),
                  DISCIPLINES[i % len(DISCIPLINES)], self.now) for i, pid in enumerate(ids)])
            rows, seq = [], 0
            for pid, total in zip(ids, totals or []):
                for qid, option in answers_for(total).items():
                    for round_ in range(1, (rounds or {}).get(qid, 1) + 1):
                        seq += 1
                        chosen = option if round_ == 1 else QN.questions[QIDS.index(qid)].options[-1].id
                        rows.append((sid, pid, qid, round_, chosen, seq, self.now))
            c.executemany("INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq,"
                          " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        if activities is not None:
            self.store.save_activities(sid, activities.to_dict(), self.now)
        case = Case(name, code, dict(expect), lang=lang, kind=kind)
        self.cases.append(case)
        return case, sid, ids

    def finish(self, base_url: str) -> list[Case]:
        """Give every case its projector link (the key derived from the installation secret)."""
        secret = installation_secret(self.data_dir)
        for case in self.cases:
            case.url = f"{base_url}/s/{case.code}/screen?k={security.derived_key(secret, 'screen', case.code)}"
        return self.cases


def run(state: sm.SessionState, *actions: tuple) -> sm.SessionState:
    """Apply facilitator actions (name, keyword arguments) to a state, through core/commands.py as the room does."""
    for action in actions:
        name, kwargs = action[0], (action[1] if len(action) > 1 else {})
        if name == "agree":
            kwargs = {**kwargs, "valid_options": [o.id for q in QN.questions for o in q.options]}
        state = commands.apply(state, name, **kwargs)
    return state


def room_totals(people: int, crowd: int, crowd_total: int, rng: random.Random) -> list[int]:
    """Totals of `people`: `crowd` of them on crowd_total, the rest spread over every total."""
    return [crowd_total] * crowd + [rng.randint(0, QN.max_total) for _ in range(people - crowd)]


def seed_all(data_dir: Path) -> Seeder:
    """Every projector view at its extremes, one session each (see the module docstring)."""
    s = Seeder(data_dir)
    everyone = 200
    totals = room_totals(everyone, 40, 5, s.rng)
    people_per_total = [totals.count(t) for t in range(QN.max_total + 1)]
    fresh = sm.initial("paced", QIDS)
    lobby = run(fresh, ("names", {"names": "on"}))
    s.session("lobby", lobby, people=120, screen="lobby", names=60, joined=120)
    revealed = run(fresh, ("start",), *[(a, {"question": q}) for q in QIDS for a in ("open", "reveal")])
    s.session("question-open", run(fresh, ("start",)), people=everyone, totals=totals, screen="question")
    s.session("join", run(fresh, ("start",), ("view", {"view": "join"})), people=everyone, totals=totals, screen="join")
    s.session("reveal-two-options", run(revealed, ("focus", {"question": TWO_OPTIONS})), people=everyone, totals=totals,
              screen="question", options=2)
    s.session("reveal-four-options", run(revealed, ("focus", {"question": QIDS[0]})), people=everyone, totals=totals,
              screen="question", options=len(QN.questions[0].options))
    longest = max(QN.questions, key=lambda q: max(len(o.label.get("nl")) for o in q.options)).id  # round labels beside long answers
    rounds = run(revealed, ("new_round", {"question": longest}), ("reveal", {"question": longest}))
    s.session("reveal-rounds", rounds, people=everyone, totals=totals, rounds={longest: 2},
              screen="question", options=len(QN.questions[QIDS.index(longest)].options))
    s.session("progress", run(sm.initial("self", QIDS), ("start",)), people=everyone, totals=totals[:37],
              screen="progress", questions=len(QIDS))
    results = run(revealed, ("results",))
    s.session("results", results, people=everyone, totals=totals, screen="results", per_total=people_per_total)
    s.session("disciplines", run(results, ("view", {"view": "disciplines"})), people=everyone, totals=totals,
              screen="disciplines", groups=len(DISCIPLINES))
    s.session("rounds", run(rounds, ("results",), ("view", {"view": "rounds"})), people=everyone, totals=totals,
              rounds={longest: 2}, screen="rounds", questions=len(QIDS))
    agreed = run(results, *[("agree", {"question": q.id, "option": q.options[-1].id}) for q in QN.questions])
    phase = QN.phase_for(QN.total({q.id: q.options[-1].id for q in QN.questions}))  # the agreed answers' phase
    for view in ("consensus", "consensus_tools", "consensus_sector"):
        s.session(view.replace("_", "-"), run(agreed, ("view", {"view": view})), people=everyone, totals=totals,
                  screen=view, tips=len(phase.tips.get("nl")), tools=len(phase.publication.tools))
    s.session("consensus-missing", run(results, ("agree", {"question": QIDS[0], "option": QN.questions[0].options[0].id}),
                                       ("view", {"view": "consensus"})), people=everyone, totals=totals,
              screen="consensus", questions=len(QIDS))
    s.session("ended", run(agreed, ("end",)), people=everyone, totals=totals, screen="ended")
    s.session("blank", run(results, ("blank",)), people=everyone, totals=totals, screen="blank")
    s.session("hidden", run(results, ("hide_results",)), people=everyone, totals=totals, screen="hidden")
    seed_activities(s, results, totals)
    seed_followup(s, results, totals)
    for lang in LANGS:
        seed_texts(s, revealed, lang)
    return s


def seed_activities(s: Seeder, results: sm.SessionState, totals: list[int]) -> None:
    """The challenges, the idea wall and the dot vote, open and revealed, with 200 people in 12 groups."""
    challenges = tuple(act.Challenge(f"c{n}", text) for n, text in enumerate(CHALLENGES, start=1))
    programme = ("challenges", "ideas", "vote")

    def state(current: str, **status: str) -> act.ActivityState:
        full = {a: "hidden" for a in programme}
        full.update(status)
        return act.ActivityState(programme, full, challenges, True, current)

    people = len(totals)
    s.session("challenges-open", results, people=people, totals=totals,
              activities=state("challenges", challenges="open"), screen="activity-challenges",
              challenges=len(challenges))
    case, sid, ids = s.session("challenges-revealed", results, people=people, totals=totals,
                               activities=state("challenges", challenges="revealed"),
                               screen="activity-challenges", challenges=len(challenges), groups=len(DISCIPLINES))
    for i, pid in enumerate(ids):
        s.store.save_picks(sid, pid, [challenges[i % 12].id, challenges[(i * 5 + 1) % 12].id], s.now)
    for name, status, current in (("ideas-open", {"challenges": "revealed", "ideas": "open"}, "ideas"),
                                  ("vote-open", {"challenges": "revealed", "ideas": "closed", "vote": "open"}, "vote"),
                                  ("vote-revealed", {"challenges": "revealed", "ideas": "closed", "vote": "revealed"},
                                   "vote")):
        case, sid, ids = s.session(name, results, people=people, totals=totals, activities=state(current, **status),
                                   screen="activity-" + current, ideas=48, groups=len(DISCIPLINES))
        made = [s.store.add_idea(sid, ids[n], "project", idea_text(n + 1), "approved", s.now) for n in range(48)]
        if name == "vote-revealed":
            for i, pid in enumerate(ids):
                s.store.save_dots(sid, pid, {made[i % 48]: 2, made[(i + 1) % 48]: 1}, s.now)


def seed_followup(s: Seeder, results: sm.SessionState, totals: list[int], lang: str = "nl", name: str = "followup",
                  **extra: Any) -> None:
    """Then and now: a follow-up of a finished session, every question answered both times, 5 carried steps."""
    then, _sid, _ids = s.session("followed", results, people=len(totals), totals=totals, lang=lang)
    s.cases.remove(then)
    steps = [{"what": forty(f"Stap {n}: een digitaal plan voor de collectie") * 3, "who": forty(f"Afdeling {n}"),
              "due": "eind volgend kwartaal"} for n in range(1, 6)]
    now = run(results, ("view", {"view": "followup"}))
    s.session(name, now, people=len(totals), totals=list(reversed(totals)), follows=then.code, carried=steps,
              screen="followup", questions=len(QIDS), steps=len(steps), lang=lang, **extra)


# Every text of seed 004 the projector can show, in both languages (questionnaire, phases and their publication).
LANGS = ("nl", "en")
STEPS = [{"what": f"Stap {n}: " + ("een maandelijkse lunchsessie waarin een afdeling laat zien wat zij digitaal "
                                   "uitprobeert, met een korte demo en vragen")[:112],
          "who": ("Anna de Vries en het team Publiek & marketing " + "x" * 50)[:50],
          "due": ("vóór de zomervakantie van 2027 " + "x" * 30)[:30]} for n in range(1, 6)]  # every field at its limit


def question_texts(q: dict) -> list[str]:
    """What the projector shows of a question (to_client form): its short title, text and every option."""
    return [q["short"], q["text"], *[o["label"] for o in q["options"]]]


def phase_totals(phase, rng: random.Random, people: int = 30) -> list[int]:
    """Totals of `people` all inside a phase's band (the group's phase is that phase)."""
    low, high = QN.phase_bounds(phase)
    return [rng.randint(low, high) for _ in range(people)]


def seed_texts(s: Seeder, revealed: sm.SessionState, lang: str) -> None:
    """Each question (open and revealed) and each phase (results, agreed phase with tips, tools and the sector's
    experience, the end with 5 long steps) as the projector shows it in `lang`, with the texts it must show."""
    client = QN.to_client(lang)
    totals = room_totals(40, 0, 0, s.rng)
    for i, (q, cq) in enumerate(zip(QN.questions, client["questions"])):
        texts = question_texts(cq)
        longest = max(q.options, key=lambda o: len(o.label.get(lang))).id  # its agreed badge beside the longest
        s.session(f"text-{lang}-ask-{q.id}", run(sm.initial("paced", QIDS), ("start",), ("open", {"question": q.id})),
                  people=len(totals), totals=totals, lang=lang, kind="ask", screen="question", index=i, texts=texts,
                  options=len(q.options))
        s.session(f"text-{lang}-reveal-{q.id}", run(revealed, ("focus", {"question": q.id}),
                                                    ("agree", {"question": q.id, "option": longest})),
                  people=len(totals), totals=totals, lang=lang, kind="reveal", screen="question", index=i,
                  texts=texts, options=len(q.options))
    for i, (phase, cp) in enumerate(zip(QN.phases, client["phases"])):
        head = [cp["name"], cp["theme"]]
        pub = cp["publication"]
        people = phase_totals(phase, s.rng)
        results = run(revealed, ("results",))
        s.session(f"text-{lang}-results-{phase.id}", results, people=len(people), totals=people, lang=lang,
                  kind="results", screen="results", index=i, texts=head,
                  per_total=[people.count(t) for t in range(QN.max_total + 1)])
        agreed = run(results, *[("agree", {"question": q, "option": o})
                                for q, o in answers_for(phase.min_total).items()])
        for view, kind, texts, count in (
                ("consensus", "consensus", [*head, cp["closing"], *cp["tips"]], {"tips": len(cp["tips"])}),
                ("consensus_tools", "consensus-tools", [*head, *[x for t in pub["tools"] for x in (t["name"], t["purpose"])]],
                 {"tools": len(pub["tools"])}),
                ("consensus_sector", "consensus-sector", [*head, pub["experience"]["quote"], pub["experience"]["person"],
                                                          pub["experience"]["organisation"]], {})):
            s.session(f"text-{lang}-{kind}-{phase.id}", run(agreed, ("view", {"view": view})), people=len(people),
                      totals=people, lang=lang, kind=kind, screen=view, index=i, texts=texts,
                      invitation=pub["invitation"] if view == "consensus" else None, **count)
        case, sid, ids = s.session(f"text-{lang}-ended-{phase.id}", run(agreed, ("end",)), people=len(people),
                                   totals=people, lang=lang, kind="ended-steps", screen="ended", index=i,
                                   texts=[*head, *[x["what"] for x in STEPS]], steps=len(STEPS))
        add_steps(s, sid, ids)
    results = run(revealed, ("results",))
    shorts = [q["short"] for q in client["questions"]]
    s.session(f"text-{lang}-disciplines", run(results, ("view", {"view": "disciplines"})), people=len(totals),
              totals=totals, lang=lang, kind="disciplines", screen="disciplines", index=0, texts=shorts,
              groups=len(DISCIPLINES))
    rounds = run(revealed, *[a for q in QIDS for a in (("new_round", {"question": q}), ("reveal", {"question": q}))],
                 ("results",), ("view", {"view": "rounds"}))
    s.session(f"text-{lang}-rounds", rounds, people=len(totals), totals=totals, rounds={q: 2 for q in QIDS},
              lang=lang, kind="rounds", screen="rounds", index=1, texts=shorts, questions=len(QIDS))
    case, sid, ids = s.session(f"text-{lang}-steps", run(results, ("view", {"view": "steps"})), people=len(totals),
                               totals=totals, lang=lang, kind="steps", screen="steps", index=0,
                               texts=[x for step in STEPS for x in (step["what"], step["who"], step["due"])],
                               steps=len(STEPS))
    add_steps(s, sid, ids)
    seed_followup(s, results, totals, lang=lang, name=f"text-{lang}-followup", kind="followup", index=1,
                  texts=[x for cq in client["questions"] for x in (cq["short"], *[o["label"] for o in cq["options"]])])


def add_steps(s: Seeder, sid: int, ids: list[int]) -> None:
    """The 5 long steps of STEPS, the first made from an idea of 140 characters on the wall."""
    idea = s.store.add_idea(sid, ids[0], "project", idea_text(1), "approved", s.now)
    s.store.save_steps(sid, [dict(STEPS[0], idea=idea), *STEPS[1:]], s.now)


if __name__ == "__main__":  # seed a data dir by hand: python -m tests.browser.projector_extremes DIR
    import sys

    seeder = seed_all(Path(sys.argv[1]))
    seeder.close()
    print(json.dumps([c.__dict__ for c in seeder.cases], indent=1))
