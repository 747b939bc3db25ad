"""Every view of a live room, each built in one pure function: phone, projector, facilitator (no Flask here)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal, Mapping

from workshop.core.ideas import phone_seed
from workshop.core.screen_control import NAMES_AUTO_MAX, timer_view
from workshop.core.commands import allowed
from workshop.core.state import accepting, joinable, projector_shows
from workshop.core.tally import agreed_phase, headline, mask_for_screen, screen_shows_results

if TYPE_CHECKING:
    from workshop.core.ideas import Idea
    from workshop.live.service import Room

Audience = Literal["facilitator", "projector"]
AUDIENCES = ("facilitator", "projector")


def public_state(room: "Room", now: float | None = None) -> dict[str, Any]:
    """The state a phone may see; a running timer carries `now` (the server's clock, default: the time of the call)."""
    s = room.state
    return {
        "timer": timer_view(s, time.time() if now is None else now),
        "code": room.code,
        "stage": s.stage,
        "pacing": s.pacing,
        "focus": s.focus,
        "locked": s.locked,
        "joinable": joinable(s),
        "questions": [{"id": q, "status": s.questions[q].status, "round": s.questions[q].round,
                       "accepting": accepting(s, q)} for q in s.order],
        "agreed_phase": phone_agreed_phase(room),
    }


def phone_agreed_phase(room: "Room") -> str | None:
    """The phase the group agreed on, for the phones once the session shows results (else None).

    Phones end on their own phase; beside it they name the group's agreed phase (issue 21), the one the
    projector shows, so nobody leaves with a screenshot of only their own conclusion.
    """
    if room.state.stage not in ("results", "ended"):
        return None
    return agreed_phase(room.tally.questionnaire, room.state)


def screen_state(room: "Room", join_url: str, join_url_local: bool, now: float | None = None) -> dict[str, Any]:
    """The state the projector and the facilitator see, with the address phones join at and the projector's controls."""
    data = public_state(room, now)
    s = room.state
    data.update(blank=s.blank, hide_results=s.hide_results, names=s.names, hidden_names=list(s.hidden_names))
    if room.allowed_for is None or room.allowed_for[0] is not s:
        room.allowed_for = (s, allowed(s))
    can = room.allowed_for[1]
    for item in data["questions"]:
        item["agreed"] = s.questions[item["id"]].agreed
        item["allowed"] = can["questions"][item["id"]]
    data.update(title=room.title, language=room.language, view=s.view, shows=shows(room),
                allowed=can["actions"], views=can["views"], to_results=can["to_results"],
                join_url=join_url, join_url_local=join_url_local)
    return data


def shows(room: "Room") -> str:
    """What the room's projector renders now (core.state.projector_shows), an activity it shows included.

    The activities are in memory once any projector or facilitator page connected (its snapshot loads them).
    """
    board = room.board
    current = board.state.current if board is not None else None
    return projector_shows(room.state, current, board.state.of(current) if current else None)


def me(room: "Room", participant_id: int) -> dict[str, Any]:
    """A participant's own identity and answers."""
    member = room.tally.members[participant_id]
    answers = room.tally.answers.get(participant_id, {})
    return {
        "id": member.id,
        "number": member.number,
        "nickname": member.nickname,
        "discipline": member.discipline,
        "vote_seed": phone_seed(room.code, member.id),  # the order of the vote's ideas on this phone
        "answers": {q: {str(r): o for r, o in rounds.items()} for q, rounds in answers.items()},
    }


def result(room: "Room", participant_id: int) -> dict[str, Any] | None:
    """A participant's private result, once the session shows results."""
    if room.state.stage not in ("results", "ended"):
        return None
    return room.tally.result(participant_id)


def roster(room: "Room") -> dict[str, Any]:
    """The facilitator's list of participants with their connection status."""
    connected = {pid for pid, n in room.sockets.items() if n > 0}
    return room.tally.roster(connected)


def aggregate(room: "Room", audience: Audience, *, min_group_size: int,
              full: dict[str, Any] | None = None, names_max: int = NAMES_AUTO_MAX) -> dict[str, Any]:
    """The live aggregate for an audience: the facilitator's in full, the projector's masked (mask_for_screen).

    The results carry their `headline` (core.tally.headline). `full` is the facilitator's aggregate
    when it was just built: the projector's is then masked from it instead of built again.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    if full is None:
        details = audience == "facilitator" or screen_shows_results(room.state)
        full = room.tally.live(room.state, min_group_size=min_group_size, details=details)
        if full["results"] is not None:
            full["results"]["headline"] = headline(full["results"])
    return full if audience == "facilitator" else mask_for_screen(full, room.state, names_max)


def projector(room: "Room") -> dict[str, Any]:
    """Whether a projector page is connected to a session, and when that last changed (for the facilitator)."""
    return {"connected": room.projectors, "changed_at": room.projector_at}


def shared_steps(steps: list[dict[str, Any]], ideas: Mapping[int, "Idea"]) -> list[dict[str, Any]]:
    """The agreed first small steps as phones and the projector get them: what, who, by when, from which idea.

    `idea_text` is the text of the idea a step was made from while that idea is on the wall (approved, or
    merged into one that is); an idea hidden since then shows no text, the step itself stays.
    """
    def on_wall(idea_id: object) -> str | None:
        """The wall text of an idea, following merges; None when it is not on the wall."""
        seen = set()
        idea = ideas.get(idea_id) if isinstance(idea_id, int) else None
        while idea is not None and idea.status == "merged" and idea.id not in seen:
            seen.add(idea.id)
            idea = ideas.get(idea.merged_into) if idea.merged_into is not None else None
        return idea.text if idea is not None and idea.status == "approved" else None

    return [{"what": s.get("what"), "who": s.get("who"), "due": s.get("due"), "idea": s.get("idea"),
             "idea_text": on_wall(s.get("idea"))} for s in steps]
