"""The session summary: one versioned, JSON-ready dict of what a session produced (pure Python).

Documented field by field in docs/summary.md. Built from stored rows, so it
needs no running server; the numbers come from the same Tally the live
session uses.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from workshop.core import stats
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import SessionState
from workshop.core.tally import Tally

SUMMARY_SCHEMA = "workshop.summary/2"  # 2: see CHANGELOG.md (docs/summary.md, "Versions")


def participant_id(number: int) -> str:
    """The anonymous id of a participant in exports: P followed by its join number."""
    return f"P{number}"


def build_summary(
    *,
    session: Mapping[str, Any],
    questionnaire: Questionnaire,
    state: SessionState,
    participants: Iterable[Mapping[str, Any]],
    answers: Iterable[Mapping[str, Any]],
    notes: Mapping[str, str],
    steps: Sequence[Mapping[str, str]],
    generated_at: str,
    carried_steps: Sequence[Mapping[str, Any]] = (),
    language: str | None = None,
    include_nicknames: bool = True,
    min_group_size: int = stats.MIN_GROUP_SIZE,
) -> dict[str, Any]:
    """Return the summary of one session (schema SUMMARY_SCHEMA) from its stored rows."""
    lang = language or session["language"]
    answers = list(answers)
    tally = Tally.from_rows(questionnaire, participants, answers)
    live = tally.live(state, min_group_size=min_group_size)
    return {
        "schema": SUMMARY_SCHEMA,
        "generated_at": generated_at,
        "nicknames_included": include_nicknames,
        "session": _session(session, questionnaire, state, lang),
        "phases": _phases(questionnaire, lang),
        "participants": _participants(tally, include_nicknames),
        "answers": _answers(tally, answers),
        "questions": _questions(questionnaire, state, live, lang),
        "results": {"joined": live["joined"], "max_total": questionnaire.max_total, **live["results"]},
        "min_group_size": min_group_size,
        "disciplines": live["disciplines"],
        "notes": {
            "general": notes.get("", ""),
            "questions": {qid: notes.get(qid, "") for qid in state.order},
        },
        "steps": [{"what": s["what"], "who": s["who"], "due": s["due"], "carried": True, "status": s["status"]}
                  for s in carried_steps]
                 + [{"what": s["what"], "who": s["who"], "due": s["due"], "idea": s.get("idea")} for s in steps],
        "attribution": {"text": questionnaire.attribution.get(lang), "license": questionnaire.license},
    }


def _session(session: Mapping[str, Any], questionnaire: Questionnaire, state: SessionState,
             lang: str) -> dict[str, Any]:
    """Title, dates, questionnaire, language, pacing and stage of the session."""
    return {
        "code": session["code"],
        "title": session["title"],
        "created_at": session["created_at"],
        "updated_at": session["updated_at"],
        "language": lang,
        "questionnaire": {
            "id": session["questionnaire_id"],
            "version": session["questionnaire_version"],
            "title": questionnaire.title.get(lang),
        },
        "pacing": state.pacing,
        "stage": state.stage,
        "disciplines": list(session["disciplines"]),
        "organisation": session.get("organisation") or None,
        "follows": session.get("follows"),
    }


def _phases(questionnaire: Questionnaire, lang: str) -> list[dict[str, Any]]:
    """The phases with their names and the totals that fall in each."""
    items = []
    for phase in questionnaire.phases:
        low, high = questionnaire.phase_bounds(phase)
        items.append({"id": phase.id, "number": phase.number, "name": phase.name.get(lang),
                      "min_total": low, "max_total": high})
    return items


def _participants(tally: Tally, include_nicknames: bool) -> list[dict[str, Any]]:
    """Each active participant: anonymous id, nickname (when included), discipline, answers, total, phase."""
    order = [q.id for q in tally.questionnaire.questions]
    items = []
    for member in sorted(tally.members.values(), key=lambda m: m.number):
        given = tally.answers.get(member.id, {})
        total = tally.total(tally.latest(member.id))
        items.append({
            "id": participant_id(member.number),
            "nickname": member.nickname if include_nicknames else None,
            "discipline": member.discipline,
            "answers": {qid: {str(r): given[qid][r] for r in sorted(given[qid])} for qid in order if qid in given},
            "total": total,
            "phase": tally.questionnaire.phase_for(total).id if total is not None else None,
        })
    return items


def _answers(tally: Tally, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every counted answer, by participant, question and round, with its points and time."""
    q = tally.questionnaire
    index = {question.id: question.index for question in q.questions}
    counted = [a for a in rows if a["participant_id"] in tally.members and a["question_id"] in index]
    counted.sort(key=lambda a: (tally.members[a["participant_id"]].number, index[a["question_id"]], a["round"]))
    return [{
        "participant": participant_id(tally.members[a["participant_id"]].number),
        "question": a["question_id"],
        "round": a["round"],
        "option": a["option_id"],
        "points": q.question(a["question_id"]).option(a["option_id"]).points,
        "answered_at": a["answered_at"],
    } for a in counted]


def _questions(questionnaire: Questionnaire, state: SessionState, live: Mapping[str, Any],
               lang: str) -> list[dict[str, Any]]:
    """Each question with its options, its statistics per round and the agreed answer."""
    items = []
    for qid in state.order:
        question = questionnaire.question(qid)
        data = live["questions"][qid]
        items.append({
            "id": qid,
            "number": question.index + 1,
            "short": question.short.get(lang),
            "text": question.text.get(lang),
            "options": [{"id": o.id, "label": o.label.get(lang), "points": o.points} for o in question.options],
            "round": data["round"],
            "agreed": data["agreed"],
            "rounds": data["rounds"],
        })
    return items
