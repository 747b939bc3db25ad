"""UI strings of the workshop's close and its statistics (issue 21): the first steps on the projector, the end
screen, the phone's result beside the group's agreed phase, ties, two-option questions and then-and-now."""
from __future__ import annotations

from flask_babel import gettext


def strings() -> dict[str, str]:
    """Return these JavaScript strings by key, in the request's language ({name} are placeholders)."""
    return {
        # Phone: the result without every answer, the group's agreed phase beside one's own.
        "partial_title": gettext("No phase yet"),
        "partial_missing": gettext("You answered {n} of {total} questions. A phase counts every question, so part of "
                                   "them gives none. Not answered:"),
        "group_agreed_phase": gettext("The group's agreed phase"),
        "group_same_phase": gettext("The same phase as your own result."),
        "group_other_phase": gettext("Your own result differs: this is the phase the group agreed on together."),
        "ladder_group": gettext("group"),
        # Projector and phone: the agreed first steps.
        "steps_who": gettext("Who:"),
        "steps_due": gettext("By when:"),
        "steps_from_idea": gettext("From the idea: {idea}"),
        "steps_none": gettext("No first steps have been recorded yet."),
        "shows_steps": gettext("The projector shows: the agreed first steps."),
        # Projector: statistics only where they mean something.
        "disc_two": gettext("{a} against {b}"),
        "disc_two_legend": gettext("{question}: the group's count for the first answer against the second."),
        "fu_answer": gettext("Answer"),
        "fu_agreed_then": gettext("agreed then: {label}"),
        "fu_agreed_now": gettext("agreed now: {label}"),
        "fu_legend": gettext("Bars: how many people chose each answer, then and now. “median”: the room’s middle "
                             "answer (not on a question with two answers)."),
        "fu_legend_no_median": gettext("Bars: how many people chose each answer, then and now."),
        # Projector: the proeftuin's prompts while ideas come in.
        "act_prompts_screen": gettext("Write an idea on your phone that answers one of these questions:"),
    }
