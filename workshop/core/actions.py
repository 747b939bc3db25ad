"""The facilitator's actions, declared once: what each needs, when it is allowed, whether it can be undone and
what it does to the projector. The socket layer checks commands against it, the state machine its stages, the
undo its `undoable`, and the pages get what it allows now (core.commands.allowed) instead of a copy of the rules."""
from __future__ import annotations

from dataclasses import dataclass

ALL_STAGES = ("lobby", "running", "results", "ended")
LIVE = ("running", "results")  # the questions are under way or their results are shown
NOT_ENDED = ("lobby", "running", "results")

# What an action does to the projector:
FOLLOWS = "follows"  # it puts the projector on what the action is about (a question, the results, the end)
STAYS = "stays"      # the projector keeps showing the same view (its content may change: a status, a count)
CHOOSES = "chooses"  # the action is a choice of what the projector shows (a view, the pause, hidden results)
RESTORES = "restores"  # undo: the projector goes back to what it showed before the undone action
EFFECTS = (FOLLOWS, STAYS, CHOOSES, RESTORES)


@dataclass(frozen=True)
class Action:
    """One facilitator action: its name, the fields a command needs, the stages it is allowed in, whether the
    facilitator can undo it, its effect on the projector, and whether it acts on one question."""

    name: str
    fields: tuple[str, ...]
    stages: tuple[str, ...]
    undoable: bool
    projector: str
    question: bool = False
    client: bool = True  # False: the server's own (timer_expire), never accepted from a page

    def to_dict(self) -> dict[str, object]:
        """The JSON-ready form the facilitator page gets in its snapshot."""
        return {"fields": list(self.fields), "stages": list(self.stages), "undoable": self.undoable,
                "projector": self.projector, "question": self.question}


TABLE: tuple[Action, ...] = (
    Action("start", (), ("lobby",), True, FOLLOWS),
    Action("next", (), LIVE, True, FOLLOWS),
    Action("prev", (), LIVE, True, FOLLOWS),
    Action("results", (), LIVE, True, FOLLOWS),
    Action("end", (), NOT_ENDED, True, FOLLOWS),
    Action("reopen", (), ("ended",), True, FOLLOWS),
    Action("lock", (), NOT_ENDED, True, STAYS),
    Action("unlock", (), NOT_ENDED, True, STAYS),
    Action("focus", ("question",), LIVE, True, FOLLOWS, question=True),
    Action("open", ("question",), NOT_ENDED, True, FOLLOWS, question=True),
    Action("close", ("question",), ("running",), True, STAYS, question=True),
    Action("reveal", ("question",), LIVE, True, FOLLOWS, question=True),
    Action("new_round", ("question",), LIVE, True, FOLLOWS, question=True),
    Action("agree", ("question", "option"), LIVE, True, STAYS, question=True),
    Action("view", ("view",), ALL_STAGES, True, CHOOSES),
    Action("remove", ("participant",), ALL_STAGES, False, STAYS),
    Action("timer", ("question", "seconds"), ("running",), True, STAYS, question=True),
    Action("timer_add", (), ("running",), True, STAYS),
    Action("timer_stop", (), ALL_STAGES, True, STAYS),
    Action("timer_expire", (), ALL_STAGES, False, STAYS, client=False),
    Action("blank", (), ALL_STAGES, True, CHOOSES),
    Action("unblank", (), ALL_STAGES, True, CHOOSES),
    Action("hide_results", (), ALL_STAGES, True, CHOOSES),
    Action("show_results", (), ALL_STAGES, True, CHOOSES),
    Action("names", ("names",), ALL_STAGES, True, STAYS),
    Action("hide_name", ("participant",), ALL_STAGES, True, STAYS),
    Action("show_name", ("participant",), ALL_STAGES, True, STAYS),
    Action("undo", (), ALL_STAGES, False, RESTORES),
)
BY_NAME: dict[str, Action] = {a.name: a for a in TABLE}
# The commands a page may send, and the fields each one needs (web/protocol.ACTIONS).
COMMANDS: dict[str, tuple[str, ...]] = {a.name: a.fields for a in TABLE if a.client}
QUESTION_ACTIONS = tuple(a.name for a in TABLE if a.question and a.client)
# Actions a page may offer as a plain button (no field beyond the question): core.commands.allowed tries each.
PLAIN_ACTIONS = tuple(a.name for a in TABLE if a.client and not a.fields and a.name != "undo")


def get(name: str) -> Action | None:
    """The action of that name, None for an unknown one."""
    return BY_NAME.get(name)


def stage_allows(name: str, stage: str) -> bool:
    """Whether an action is allowed at all in a stage (finer rules: core.commands.apply)."""
    action = BY_NAME.get(name)
    return action is not None and stage in action.stages


def undoable(name: str) -> bool:
    """Whether the facilitator can undo an action."""
    action = BY_NAME.get(name)
    return action is not None and action.undoable


def table() -> dict[str, dict[str, object]]:
    """The table as the facilitator page gets it."""
    return {a.name: a.to_dict() for a in TABLE if a.client}
