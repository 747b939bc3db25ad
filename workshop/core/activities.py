"""The activities after the questionnaire: their state machine and the challenge rules and ranking (pure)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from workshop.core import stats
from workshop.core.programme import ACTIVITIES
from workshop.core.state import Rejected

STATUSES = ("hidden", "open", "closed", "revealed")
ACTIVITY_ACTIONS = ("open", "close", "reveal", "show", "programme", "challenges", "auto_approve")


@dataclass(frozen=True)
class Challenge:
    """One challenge of this session: a stable id and its text (editable before the activity opens)."""

    id: str
    text: str


@dataclass(frozen=True)
class ActivityState:
    """Which activities a session runs, where each one is, what the projector shows, the challenge list."""

    programme: tuple[str, ...]
    status: Mapping[str, str]
    challenges: tuple[Challenge, ...]
    auto_approve: bool = False  # moderation on by default: an idea reaches the wall once approved (issue 21)
    current: str | None = None  # the activity phones and the projector show; None: the questionnaire

    def of(self, activity: str) -> str:
        """An activity's status; 'off' when it is not in the programme."""
        return self.status.get(activity, "hidden") if activity in self.programme else "off"

    def started(self) -> bool:
        """Whether any activity has left 'hidden' (the programme is then fixed)."""
        return any(self.status.get(a, "hidden") != "hidden" for a in ACTIVITIES)

    def challenge_ids(self) -> tuple[str, ...]:
        """The ids of this session's challenges in order."""
        return tuple(c.id for c in self.challenges)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the database."""
        return {"programme": list(self.programme), "status": dict(self.status), "current": self.current,
                "auto_approve": self.auto_approve,
                "challenges": [{"id": c.id, "text": c.text} for c in self.challenges]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ActivityState":
        """Rebuild a state from its stored form."""
        return cls(tuple(data["programme"]), dict(data["status"]),
                   tuple(Challenge(c["id"], c["text"]) for c in data["challenges"]),
                   bool(data.get("auto_approve", True)), data.get("current"))


def clean_programme(value: object) -> tuple[str, ...]:
    """Validate a list of activities (any subset, run in the fixed order) or raise Rejected."""
    if value is None:
        return ACTIVITIES
    if not isinstance(value, list) or any(not isinstance(a, str) or a not in ACTIVITIES for a in value):
        raise Rejected("bad_request", f"activities must be a list of {', '.join(ACTIVITIES)}", "activities")
    if "vote" in value and "ideas" not in value:
        raise Rejected("bad_request", "the dot vote needs the ideas activity", "activities")
    return tuple(a for a in ACTIVITIES if a in value)


def initial(programme: Sequence[str], challenges: Sequence[tuple[str, str]]) -> ActivityState:
    """The state of a new session: every activity hidden, the default challenges, ideas moderated (no auto-approve)."""
    return ActivityState(tuple(programme), {a: "hidden" for a in ACTIVITIES},
                         tuple(Challenge(i, t) for i, t in challenges), auto_approve=False)


def _status_change(state: ActivityState, action: str, activity: object) -> ActivityState:
    """Open, close or reveal an activity of the programme."""
    if activity not in state.programme:
        raise Rejected("unknown_activity", "This activity is not in the programme", "activity")
    now = state.status.get(activity, "hidden")
    if action == "open":
        if activity == "challenges" and not state.challenges:
            raise Rejected("not_allowed_now", "Add a challenge first", "activity")
        new = "open"
    elif action == "close":
        if now != "open":
            raise Rejected("activity_closed", "This activity is not open", "activity")
        new = "closed"
    else:
        if now == "hidden" or activity == "ideas":
            raise Rejected("not_allowed_now", "Open this activity before revealing it", "activity")
        new = "revealed"
    status = dict(state.status)
    status[activity] = new
    if action == "open" and activity == "vote" and status.get("ideas") == "open":
        status["ideas"] = "closed"  # ideas stop coming in once the room votes on them
    return replace(state, status=status, current=activity)


def _challenges(state: ActivityState, items: object, text_of: Any) -> ActivityState:
    """Replace the challenge list (add, remove, reword) while the challenges have not opened."""
    if state.status.get("challenges", "hidden") != "hidden":
        raise Rejected("not_allowed_now", "The challenges can change only before they open", "challenges")
    if not isinstance(items, list):
        raise Rejected("bad_request", "challenges must be a list", "challenges")
    known, result, used = set(state.challenge_ids()), [], set()
    for item in items:
        if not isinstance(item, dict):
            raise Rejected("bad_request", "each challenge must be an object", "challenges")
        text = text_of(item.get("text"))
        if not text:
            continue
        challenge_id = item.get("id")
        if challenge_id not in known or challenge_id in used:
            challenge_id = _new_id(known | used)
        used.add(challenge_id)
        result.append(Challenge(challenge_id, text))
    return replace(state, challenges=tuple(result))


def _new_id(taken: set[str]) -> str:
    """A challenge id not taken yet (c1, c2, ...)."""
    n = 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


def apply(state: ActivityState, action: str, *, activity: object = None, activities: object = None,
          items: object = None, enabled: object = None, text_of: Any = None, ended: bool = False) -> ActivityState:
    """Return the state after a facilitator's activity action, or raise Rejected.

    `text_of` cleans a challenge text (the service's clean_text with the setting's limit); `ended`: the
    session has ended, so no activity opens (phones may no longer write) until the facilitator reopens it.
    """
    if action == "open" and ended:
        raise Rejected("session_ended", "This session has ended; reopen it first")
    if action in ("open", "close", "reveal"):
        return _status_change(state, action, activity)
    if action == "show":
        if activity is not None and activity not in state.programme:
            raise Rejected("unknown_activity", "This activity is not in the programme", "activity")
        if activity is not None and state.of(activity) == "hidden":
            raise Rejected("not_allowed_now", "Open this activity before showing it", "activity")
        return replace(state, current=activity)
    if action == "programme":
        if state.started():
            raise Rejected("not_allowed_now", "The programme is fixed once an activity started", "activities")
        return replace(state, programme=clean_programme(activities))
    if action == "challenges":
        return _challenges(state, items, text_of)
    if action == "auto_approve":
        if not isinstance(enabled, bool):
            raise Rejected("bad_request", "enabled must be true or false", "enabled")
        return replace(state, auto_approve=enabled)
    raise Rejected("unknown_action", "Unknown action", "action")


ACTIVITY_BUTTONS = ("open", "close", "reveal", "show")  # the actions on one activity that allowed() offers


def _accepts(state: ActivityState, action: str, ended: bool, **fields: Any) -> ActivityState | None:
    """The state an action would make now, None when apply refuses it."""
    try:
        return apply(state, action, ended=ended, **fields)
    except Rejected:
        return None


def allowed(state: ActivityState, *, ended: bool = False) -> dict[str, Any]:
    """What the facilitator may do with the activities now, found by asking apply (the page keeps no copy).

    `activities`: per activity of the programme, the ACTIVITY_BUTTONS that apply accepts and that would
    change what they are about (open, close, reveal: its status; show: what is shown); `actions`:
    `programme` (the programme may still change), `challenges` (the challenge list may still be edited),
    `show` (back to the questionnaire: an activity is shown) and `auto_approve`.
    """
    def changes(action: str, **fields: Any) -> bool:
        """Whether apply accepts the action and it would change what the action is about."""
        new = _accepts(state, action, ended, **fields)
        if new is None:
            return False
        return new.status != state.status if action in ("open", "close", "reveal") else new != state

    per_activity = {a: [name for name in ACTIVITY_BUTTONS if changes(name, activity=a)] for a in state.programme}
    same_list = [{"id": c.id, "text": c.text} for c in state.challenges]
    tried = {
        "programme": _accepts(state, "programme", ended, activities=list(state.programme)) is not None,
        "challenges": _accepts(state, "challenges", ended, items=same_list, text_of=str) is not None,
        "show": changes("show", activity=None),
        "auto_approve": changes("auto_approve", enabled=not state.auto_approve),
    }
    return {"activities": per_activity, "actions": [name for name, ok in tried.items() if ok]}


def close_all(state: ActivityState, *, unshow: bool = False) -> ActivityState:
    """The state with every open activity closed (the session ended: phones may no longer write).

    unshow: no activity is shown any more either (the projector and phones go back to the session's screens).
    """
    status = {a: "closed" if s == "open" else s for a, s in state.status.items()}
    current = None if unshow else state.current
    if status == dict(state.status) and current == state.current:
        return state
    return replace(state, status=status, current=current)


def require_open(state: ActivityState, activity: str) -> None:
    """Raise Rejected('activity_closed') unless the activity is open now."""
    if state.of(activity) != "open":
        raise Rejected("activity_closed", "This activity is not open", "activity")


def check_picks(state: ActivityState, picks: object, most: int) -> tuple[str, ...]:
    """Validate a phone's challenge choice: 1..most distinct known challenges, while open."""
    require_open(state, "challenges")
    if not isinstance(picks, list) or not picks or len(picks) > most:
        raise Rejected("bad_picks", f"Pick 1 to {most} challenges", "picks")
    if len(set(picks)) != len(picks) or any(p not in state.challenge_ids() for p in picks):
        raise Rejected("bad_picks", "Unknown or repeated challenge", "picks")
    return tuple(picks)


def groups(disciplines: Mapping[int, str | None], min_group_size: int) -> dict[str, list[int]]:
    """The respondents per discipline group, by the small-group rule (empty: no split to show)."""
    if not any(disciplines.values()):
        return {}
    mapping = stats.group_disciplines({str(k): v for k, v in disciplines.items()}, min_size=min_group_size)
    result: dict[str, list[int]] = {}
    for key, group in mapping.items():
        if group is not None:
            result.setdefault(group, []).append(int(key))
    return result


def _ranked(challenges: Sequence[Challenge], picks: Mapping[int, tuple[str, ...]], people: Sequence[int]) -> dict:
    """Counts and shares (of the people counted) per challenge, most picked first."""
    counts = Counter(c for pid in people for c in picks.get(pid, ()))
    n = len(people)
    items = [{"id": c.id, "text": c.text, "count": counts[c.id], "share": round(counts[c.id] / n, 3) if n else 0.0}
             for c in challenges]
    order = {c.id: i for i, c in enumerate(challenges)}
    items.sort(key=lambda item: (-item["count"], order[item["id"]]))
    return {"respondents": n, "items": items}


def challenge_respondents(picks: Mapping[int, tuple[str, ...]], disciplines: Mapping[int, str | None]) -> list[int]:
    """The members who picked challenges (what the projector may show before the reveal: their number)."""
    return [pid for pid in picks if pid in disciplines]


def challenge_ranking(state: ActivityState, picks: Mapping[int, tuple[str, ...]],
                      disciplines: Mapping[int, str | None], min_group_size: int) -> dict[str, Any]:
    """The challenges ranked by how many respondents picked each, for the room and per discipline group.

    A share is of the respondents (people who picked), so shares add up to more than 1 when
    people pick two. Groups follow the small-group rule (core.stats.group_disciplines).
    """
    respondents = challenge_respondents(picks, disciplines)
    room = _ranked(state.challenges, picks, respondents)
    split = groups({pid: disciplines[pid] for pid in respondents}, min_group_size)
    room["by_discipline"] = [dict(_ranked(state.challenges, picks, split[g]), group=g)
                             for g in sorted(split, key=lambda g: (g == "other", g))]
    return room
