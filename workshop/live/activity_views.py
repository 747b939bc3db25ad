"""Every view of a room's activities, each one pure with its masking: phone, projector, facilitator."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workshop.core import activities as act
from workshop.core import ideas as idx
from workshop.core.programme import Programme
from workshop.settings import Settings

if TYPE_CHECKING:
    from workshop.live.activities import Board
    from workshop.live.service import Room


def _disciplines(room: "Room") -> dict[int, str | None]:
    """Every active member's discipline."""
    return {pid: m.discipline for pid, m in room.tally.members.items()}


def base(board: "Board", programme: Programme, language: str) -> dict[str, Any]:
    """What every audience may see: programme, statuses, what is shown, the challenges and prompts."""
    s = board.state
    return {
        "programme": list(s.programme),
        "status": {a: s.of(a) for a in act.ACTIVITIES},
        "current": s.current,
        "challenges": [{"id": c.id, "text": c.text} for c in s.challenges],
        "prompts": [{"id": p.id, "text": p.text(language)} for p in programme.prompts],
    }


def challenge_result(room: "Room", board: "Board", min_group_size: int, *, full: bool) -> dict[str, Any]:
    """The challenge ranking; masked to the number of respondents until revealed unless `full`."""
    if full or board.state.of("challenges") == "revealed":
        return act.challenge_ranking(board.state, board.picks, _disciplines(room), min_group_size)
    return {"respondents": len(act.challenge_respondents(board.picks, room.tally.members)), "items": None,
            "by_discipline": None}


def vote_result(room: "Room", board: "Board", min_group_size: int, top: int, *, full: bool) -> dict[str, Any]:
    """The dot-vote ranking; masked to the number of voters until revealed unless `full`."""
    if full or board.state.of("vote") == "revealed":
        return idx.vote_ranking(board.ideas, board.dots, _disciplines(room), min_group_size, top)
    return {"voters": len(idx.vote_voters(board.dots, room.tally.members)), "items": None, "by_discipline": None}


def wall(board: "Board", limit: int | None = None) -> list[list[Any]]:
    """The approved ideas, anonymous, newest first, as compact [id, text] pairs (the newest `limit`)."""
    return [[i["id"], i["text"]] for i in idx.wall(board.ideas, limit)]


def screen(room: "Room", board: "Board", programme: Programme, cfg: Settings) -> dict[str, Any]:
    """The projector's view: no idea author, no pending or hidden idea, no ranking before its reveal."""
    data = base(board, programme, room.language)
    data["auto_approve"] = board.state.auto_approve
    data["wall"] = wall(board, cfg.wall_screen_max)
    data["wall_total"] = board.approved
    data["challenge_result"] = challenge_result(room, board, cfg.min_group_size, full=False)
    data["vote_result"] = vote_result(room, board, cfg.min_group_size, cfg.vote_top, full=False)
    return data


def facilitator(room: "Room", board: "Board", programme: Programme, cfg: Settings) -> dict[str, Any]:
    """The facilitator's view: everything, every idea with its status and dots."""
    data = base(board, programme, room.language)
    dots = idx.idea_dots(board.dots)
    data["auto_approve"] = board.state.auto_approve
    data["challenge_result"] = challenge_result(room, board, cfg.min_group_size, full=True)
    data["vote_result"] = vote_result(room, board, cfg.min_group_size, cfg.vote_top, full=True)
    arrived = list(reversed(board.ideas.values()))  # newest first (the board keeps the order of arrival)
    newest = ([i for i in arrived if i.status == "pending"]
              + [i for i in arrived if i.status != "pending"])[:cfg.ideas_list_max]
    data["ideas"] = [{"id": i.id, "text": i.text, "prompt": i.prompt, "status": i.status,
                      "merged_into": i.merged_into, "authors": len(i.all_authors()), "dots": dots[i.id]}
                     for i in newest]
    data["ideas_total"] = len(board.ideas)
    data["merge_targets"] = [i.id for i in newest if idx.merge_target(i)]  # the page offers only these
    data["allowed"] = act.allowed(board.state, ended=room.state.stage == "ended")  # the panel's buttons
    data["undo"] = ({"id": board.undo.id} if board.undo else None)
    return data


def phone(room: "Room", board: "Board", programme: Programme, cfg: Settings,
          participant_id: int | None) -> dict[str, Any]:
    """A phone's view: its own picks, ideas and dots, and the rankings once revealed (no idea list: see wall)."""
    data = base(board, programme, room.language)
    data["limits"] = {"picks": cfg.challenge_picks_max, "ideas": cfg.ideas_per_participant,
                      "idea_max": cfg.idea_max, "dots": cfg.dots_per_participant,
                      "dots_per_idea": cfg.dots_per_idea}
    revealed = {a: board.state.of(a) == "revealed" for a in ("challenges", "vote")}
    data["challenge_result"] = (challenge_result(room, board, cfg.min_group_size, full=False)
                                if revealed["challenges"] else None)
    data["vote_result"] = (vote_result(room, board, cfg.min_group_size, cfg.vote_top, full=False)
                           if revealed["vote"] else None)
    data["mine"] = None if participant_id is None else mine(board, participant_id)
    return data


def mine(board: "Board", participant_id: int) -> dict[str, Any]:
    """A participant's own picks, ideas (a merged one shows as approved) and dots."""
    return {
        "picks": list(board.picks.get(participant_id, ())),
        "ideas": [{"id": i.id, "text": i.text, "status": "approved" if i.status == "merged" else i.status}
                  for i in board.ideas.values() if i.author == participant_id],
        "dots": {str(k): v for k, v in board.dots.get(participant_id, {}).items()},
    }
