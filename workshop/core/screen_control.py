"""The projector's controls in the session state: the question timer, the blank screen, hidden results, names."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from workshop.core.state import Rejected, SessionState, Timer

NAMES_MODES = ("auto", "on", "off")  # auto: names on the projector up to SCREEN_NAMES_MAX participants
NAMES_AUTO_MAX = 30                  # the default of the setting SCREEN_NAMES_MAX
TIMER_MAX_SECONDS = 3600             # no countdown runs longer, however often 30 s is added
ACTIONS = ("timer", "timer_add", "timer_stop", "timer_expire", "blank", "unblank",
           "hide_results", "show_results", "names", "hide_name", "show_name")


def _seconds(value: object) -> int:
    """A positive whole number of seconds, or Rejected."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= TIMER_MAX_SECONDS:
        raise Rejected("bad_request", "seconds must be a whole number of seconds", "seconds")
    return value


def _now(value: object) -> float:
    """The server's clock as given by the live layer (never by a client)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise Rejected("bad_request", "A timer needs the server's time")
    return float(value)


def _participant(value: object) -> int:
    """A participant id, or Rejected."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise Rejected("bad_request", "participant must be a number", "participant")
    return value


def start_timer(state: SessionState, question: str | None, seconds: object, reveal: object, now: object) -> SessionState:
    """Start (or restart) a countdown on an open question."""
    if question is None:
        raise Rejected("bad_request", "A timer needs a question", "question")
    if state.stage != "running" or state.question(question).status != "open":
        raise Rejected("not_allowed_now", "A timer runs only on an open question")
    seconds = _seconds(seconds)
    timer = Timer(question, _now(now) + seconds, seconds, reveal is True)
    return replace(state, timer=timer)


def add_time(state: SessionState, seconds: object) -> SessionState:
    """Move a running countdown's deadline later."""
    if state.timer is None:
        raise Rejected("not_allowed_now", "No timer is running")
    seconds = _seconds(seconds)
    if state.timer.seconds + seconds > TIMER_MAX_SECONDS:
        raise Rejected("bad_request", "The timer cannot run longer", "seconds")
    return replace(state, timer=replace(state.timer, deadline=state.timer.deadline + seconds,
                                        seconds=state.timer.seconds + seconds))


def expire(state: SessionState, now: object) -> SessionState:
    """At the deadline: close the timer's question (or reveal it, when the facilitator chose that)."""
    timer = state.timer
    if timer is None or _now(now) < timer.deadline:
        raise Rejected("not_allowed_now", "The timer has not run out")
    status = "revealed" if timer.reveal else "closed"
    state = replace(state.with_question(timer.question, status=status), timer=None)
    return replace(state, focus=timer.question) if timer.reveal else state


def apply(state: SessionState, action: str, *, question: str | None = None, seconds: object = None,
          reveal: object = None, participant: object = None, names: object = None,
          now: object = None) -> SessionState:
    """Return the state after one of the projector's control actions, or raise Rejected."""
    if action == "timer":
        return start_timer(state, question, seconds, reveal, now)
    if action == "timer_add":
        return add_time(state, seconds)
    if action == "timer_stop":
        return replace(state, timer=None)
    if action == "timer_expire":
        return expire(state, now)
    if action in ("blank", "unblank"):
        return replace(state, blank=action == "blank")
    if action in ("hide_results", "show_results"):
        return replace(state, hide_results=action == "hide_results")
    if action == "names":
        if names not in NAMES_MODES:
            raise Rejected("bad_request", "names must be auto, on or off", "names")
        return replace(state, names=names)
    if action in ("hide_name", "show_name"):
        pid = _participant(participant)
        hidden = set(state.hidden_names) - {pid}
        if action == "hide_name":
            hidden.add(pid)
        return replace(state, hidden_names=tuple(sorted(hidden)))
    raise Rejected("unknown_action", "Unknown action", "action")


def settle(state: SessionState) -> SessionState:
    """Drop a timer whose question no longer takes answers (closed, revealed, or the session moved on)."""
    timer = state.timer
    if timer is not None and timer.question not in state.open_questions():
        return replace(state, timer=None)
    return state


def names_shown(state: SessionState, joined: int, names_max: int = NAMES_AUTO_MAX) -> bool:
    """Whether the projector shows nicknames: on, or auto with at most names_max participants."""
    return state.names == "on" or (state.names == "auto" and joined <= names_max)


def timer_view(state: SessionState, now: float) -> dict[str, Any] | None:
    """The timer as clients get it: the deadline, with the server's clock for their offset."""
    if state.timer is None:
        return None
    return {**state.timer.to_dict(), "server_time": now}
