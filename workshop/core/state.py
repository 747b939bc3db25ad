"""The session state machine: stages, question status, rounds, agreed answers."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

STAGES = ("lobby", "running", "results", "ended")
PACINGS = ("paced", "self")
VIEWS = ("auto", "question", "results", "disciplines", "rounds", "consensus", "consensus_tools", "consensus_sector",
         "join", "progress", "followup", "steps")  # steps: the agreed first small steps (issue 21)
AFTER_RESULTS_VIEWS = ("followup",)  # then and now: only once the session shows its results
STATUSES = ("hidden", "open", "closed", "revealed")


class Rejected(Exception):
    """A request the session cannot accept; `code` is stable, the message is English."""

    def __init__(self, code: str, message: str = "", field: str | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.field = field


@dataclass(frozen=True)
class QuestionState:
    """Where one question is: its status, its current round and the agreed option."""

    status: str = "hidden"
    round: int = 1
    agreed: str | None = None


@dataclass(frozen=True)
class Timer:
    """A running countdown on an open question: its deadline on the server's clock (seconds since the epoch)."""

    question: str
    deadline: float
    seconds: int
    reveal: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (stored, and sent to every screen and phone)."""
        return {"question": self.question, "deadline": self.deadline, "seconds": self.seconds, "reveal": self.reveal}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "Timer | None":
        """Rebuild a timer from its stored form (None stays None)."""
        if not data:
            return None
        return cls(data["question"], float(data["deadline"]), int(data["seconds"]), bool(data.get("reveal")))


@dataclass(frozen=True)
class SessionState:
    """Everything about a session's progress that must survive a restart."""

    pacing: str
    order: tuple[str, ...]
    questions: Mapping[str, QuestionState]
    stage: str = "lobby"
    focus: str | None = None
    locked: bool = False
    view: str = "auto"
    # The projector's controls (core/screen_control.py).
    timer: Timer | None = None
    blank: bool = False
    hide_results: bool = False
    names: str = "auto"
    hidden_names: tuple[int, ...] = ()

    def question(self, question_id: str) -> QuestionState:
        """Return a question's state or raise Rejected for an unknown id."""
        try:
            return self.questions[question_id]
        except (KeyError, TypeError):
            raise Rejected("unknown_question", "Unknown question") from None

    def with_question(self, question_id: str, **changes: Any) -> "SessionState":
        """Return a copy with one question's state changed."""
        questions = dict(self.questions)
        questions[question_id] = replace(questions[question_id], **changes)
        return replace(self, questions=questions)

    def open_questions(self) -> list[str]:
        """Return the ids of questions that accept answers now."""
        return [q for q in self.order if accepting(self, q)]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form stored in the database."""
        return {
            "pacing": self.pacing,
            "stage": self.stage,
            "focus": self.focus,
            "locked": self.locked,
            "view": self.view,
            "timer": self.timer.to_dict() if self.timer else None,
            "blank": self.blank,
            "hide_results": self.hide_results,
            "names": self.names,
            "hidden_names": list(self.hidden_names),
            "questions": [
                {"id": q, "status": s.status, "round": s.round, "agreed": s.agreed}
                for q, s in ((q, self.questions[q]) for q in self.order)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SessionState":
        """Rebuild a state from its stored form."""
        items = data["questions"]
        return cls(
            pacing=data["pacing"],
            order=tuple(q["id"] for q in items),
            questions={
                q["id"]: QuestionState(q["status"], int(q["round"]), q.get("agreed")) for q in items
            },
            stage=data["stage"],
            focus=data.get("focus"),
            locked=bool(data.get("locked")),
            view=data.get("view", "auto"),
            timer=Timer.from_dict(data.get("timer")),
            blank=bool(data.get("blank")),
            hide_results=bool(data.get("hide_results")),
            names=data.get("names", "auto"),
            hidden_names=tuple(data.get("hidden_names") or ()),
        )


def initial(pacing: str, question_ids: Sequence[str]) -> SessionState:
    """Return the state of a new session in the lobby."""
    if pacing not in PACINGS:
        raise Rejected("bad_request", "Pacing must be 'paced' or 'self'", "pacing")
    if not question_ids:
        raise Rejected("bad_request", "A session needs questions")
    return SessionState(
        pacing=pacing,
        order=tuple(question_ids),
        questions={q: QuestionState() for q in question_ids},
    )


def accepting(state: SessionState, question_id: str) -> bool:
    """Whether a question takes answers now (in its current round): it is open while the session runs."""
    return state.stage == "running" and state.question(question_id).status == "open"


def check_answer(state: SessionState, question_id: str, round_: int) -> None:
    """Raise Rejected unless an answer to this question and round is accepted now."""
    if not accepting(state, question_id):
        raise Rejected("question_closed", "This question is not open")
    if round_ != state.question(question_id).round:
        raise Rejected("stale_round", "This round has ended; answer the current round")


def check_join(state: SessionState) -> None:
    """Raise Rejected unless phones may join now: the session has not ended and joining is not locked."""
    if state.stage == "ended":
        raise Rejected("session_ended", "This session has ended")
    if state.locked:
        raise Rejected("locked", "The facilitator has closed joining")


def joinable(state: SessionState) -> bool:
    """Whether phones may join now (check_join's rule), for the projector's QR code and the phone's join form."""
    try:
        check_join(state)
    except Rejected:
        return False
    return True


def _require_stage(state: SessionState, *stages: str) -> None:
    """Raise Rejected unless the session is in one of the stages."""
    if state.stage not in stages:
        raise Rejected("not_allowed_now", f"Not possible while the session is {state.stage}")


def _close_open(state: SessionState, keep: str | None = None) -> SessionState:
    """Close every open question except `keep`."""
    for q in state.order:
        if q != keep and state.questions[q].status == "open":
            state = state.with_question(q, status="closed")
    return state


def _goto(state: SessionState, question_id: str) -> SessionState:
    """Move the focus (and the projector) to a question; when paced, it opens and the previous one closes.

    A question that was closed but never revealed opens again: going back to it (N then P) puts the room
    where it was. A revealed question stays revealed: reopening it is a choice (a new round or the same).
    """
    q = state.question(question_id)
    state = replace(state, focus=question_id, stage="running", view="question")
    if state.pacing == "paced":
        state = _close_open(state, keep=question_id)
        if q.status in ("hidden", "closed"):
            state = state.with_question(question_id, status="open")
    return state


def _step(state: SessionState, delta: int) -> SessionState:
    """Focus the next or previous question; past the last one go to results."""
    _require_stage(state, "running", "results")
    index = state.order.index(state.focus) if state.focus in state.order else -1
    target = index + delta
    if target >= len(state.order):
        return _to_results(state)
    return _goto(state, state.order[max(target, 0)])


def _to_results(state: SessionState) -> SessionState:
    """Close open questions and show the results."""
    _require_stage(state, "running", "results")
    return replace(_close_open(state), stage="results", view="results")


# Views that show the room's answers: the facilitator can hide them ("hide results"), the projector then says so.
RESULT_VIEWS = ("results", "disciplines", "rounds", "consensus", "consensus_tools", "consensus_sector")


def shown(state: SessionState) -> str:
    """What the projector shows now: the pause screen, the lobby, the chosen view, or for "auto" the one that fits the stage."""
    if state.blank:
        return "blank"
    if state.stage == "lobby":
        return "lobby" if state.view != "join" else "join"
    focus = state.questions.get(state.focus) if state.focus else None
    revealed = focus is not None and focus.status == "revealed"  # the question view then shows its answers
    if state.view != "auto":
        if state.hide_results and (state.view in RESULT_VIEWS or (state.view == "question" and revealed)):
            return "results_hidden"
        return state.view
    if state.stage in ("results", "ended"):
        return "results_hidden" if state.hide_results and state.stage == "results" else state.stage
    if state.pacing == "self" and not revealed:
        return "progress"
    return "results_hidden" if state.hide_results and revealed else "question"


def apply_session(state: SessionState, action: str, *, question: str | None, option: str | None,
                  valid_options: Sequence[str], view: str | None) -> SessionState:
    """Return the state after a session action (start, next, open, reveal, ...), or raise Rejected.

    Every facilitator action, the projector's controls included, goes through core/commands.py `apply`.
    """
    if state.stage == "ended" and action not in ("reopen", "view"):
        raise Rejected("not_allowed_now", "The session has ended")
    if action == "start":
        _require_stage(state, "lobby")
        first = state.order[0]
        if state.pacing == "self":
            for q in state.order:
                state = state.with_question(q, status="open")
        state = _goto(replace(state, stage="running"), first)
        return replace(state, view="progress") if state.pacing == "self" else state
    if action in ("focus", "open", "close", "reveal", "new_round", "agree"):
        if question is None:
            raise Rejected("bad_request", "This action needs a question", "question")
        current = state.question(question)
    if action == "focus":
        _require_stage(state, "running", "results")
        return _goto(state, question)
    if action == "next":
        return _step(state, 1)
    if action == "prev":
        return _step(state, -1)
    if action == "open":
        _require_stage(state, "lobby", "running", "results")
        if state.pacing == "paced":
            state = _close_open(state, keep=question)
        return replace(state.with_question(question, status="open"), stage="running", focus=question, view="question")
    if action == "close":
        if current.status != "open":
            raise Rejected("not_allowed_now", "This question is not open")
        return state.with_question(question, status="closed")
    if action == "reveal":
        _require_stage(state, "running", "results")
        if current.status == "hidden":
            raise Rejected("not_allowed_now", "Open this question before revealing it")
        return replace(state.with_question(question, status="revealed"), focus=question, view="question")
    if action == "new_round":
        _require_stage(state, "running", "results")
        if current.status in ("hidden", "open"):
            raise Rejected("not_allowed_now", "Close or reveal this question before a new round")
        if state.pacing == "paced":
            state = _close_open(state)
        state = state.with_question(question, status="open", round=current.round + 1, agreed=None)
        return replace(state, stage="running", focus=question, view="question")
    if action == "agree":
        _require_stage(state, "running", "results")
        if current.status in ("hidden", "open"):
            raise Rejected("not_allowed_now", "Close or reveal this question before agreeing on it")
        if option is not None and option not in valid_options:
            raise Rejected("unknown_option", "Unknown option", "option")
        return state.with_question(question, agreed=option)  # the projector stays: the facilitator shows the phase
    if action == "results":
        return _to_results(state)
    if action == "end":
        return replace(_close_open(state), stage="ended", view="auto")
    if action == "reopen":
        _require_stage(state, "ended")
        return replace(state, stage="results", view="results")
    if action in ("lock", "unlock"):
        return replace(state, locked=action == "lock")
    if action == "view":
        if view not in VIEWS:
            raise Rejected("bad_request", "Unknown view", "view")
        if view in AFTER_RESULTS_VIEWS:
            _require_stage(state, "results", "ended")
        return replace(state, view=view)
    raise Rejected("unknown_action", "Unknown action", "action")


ACTIVITY_RESULTS = ("challenges", "vote")  # activities whose reveal shows a ranking instead of the list


def projector_shows(state: SessionState, activity: str | None = None, activity_status: str | None = None) -> str:
    """What the projector renders now, the one rule for the projector page and the facilitator's statement.

    The pause screen and the join QR win; outside the lobby an activity the facilitator shows takes the
    projector over (`activity_<name>`, `activity_<name>_result` once its ranking is revealed); else `shown`.
    """
    if state.blank:
        return "blank"
    if state.stage == "lobby":
        return "lobby" if state.view != "join" else "join"
    if state.view == "join":
        return "join"
    if activity:
        revealed = activity in ACTIVITY_RESULTS and activity_status == "revealed"
        return f"activity_{activity}_result" if revealed else f"activity_{activity}"
    return shown(state)


def changes(before: SessionState, after: SessionState) -> list[dict[str, str]]:
    """The questions whose status an action changed, in order: [{question, before, after}]."""
    return [{"question": q, "before": before.questions[q].status, "after": after.questions[q].status}
            for q in after.order if q in before.questions and before.questions[q].status != after.questions[q].status]


def all_agreed(state: SessionState) -> bool:
    """Tell whether every question has an agreed answer."""
    return all(state.questions[q].agreed is not None for q in state.order)


__all__ = [
    "STAGES", "PACINGS", "VIEWS", "STATUSES", "Rejected", "Timer", "QuestionState", "SessionState",
    "initial", "accepting", "check_answer", "check_join", "joinable", "apply_session", "all_agreed", "shown", "changes", "projector_shows",
]
