"""UI strings of the projector's controls (timer, pause, join QR, names, full screen), merged into jsstrings."""
from __future__ import annotations

from flask_babel import gettext


def strings() -> dict[str, str]:
    """Return the projector controls' JavaScript strings by key, in the request's language."""
    return {
        "fullscreen_enter": gettext("Full screen"),
        "fullscreen_leave": gettext("Leave full screen"),
        "blank_title": gettext("Pause"),
        "results_hidden_title": gettext("The results are hidden for now"),
        "results_hidden_text": gettext("The facilitator will show them in a moment."),
        "disc_legend": gettext("●●○○: the group's middle answer (median) on the question's scale, here the second of four options, from the first (●○○○) to the last (●●●●); below it how many of the group answered."),
        "disc_people_one": gettext("{n} person"),
        "disc_people_other": gettext("{n} people"),
        "timer_needs_open": gettext("Open a question first: a timer runs on the open question."),
        "done_timer": gettext("Timer started: {name}."),
        "done_timer_add": gettext("Time added."),
        "done_timer_stop": gettext("Timer stopped."),
        "done_blank": gettext("The projector shows the pause screen."),
        "done_unblank": gettext("The projector shows the session again."),
        "done_hide_results": gettext("The results are hidden on the projector."),
        "done_show_results": gettext("The projector shows the results again."),
        "done_join_view": gettext("The projector shows the join QR code."),
        "done_names": gettext("Names on the projector changed."),
        "done_hide_name": gettext("Name hidden on the projector: {name}."),
        "done_show_name": gettext("Name shown on the projector again: {name}."),
        "hide_name": gettext("Hide"),
        "show_name": gettext("Show"),
        "hide_name_label": gettext("Hide {name} on the projector"),
        "show_name_label": gettext("Show {name} on the projector again"),
        "names_none": gettext("No names yet."),
        "key_results": gettext("the group results on the projector, or back"),
        "key_new_round": gettext("a new round of the question on screen"),
        "key_blank": gettext("pause screen on or off"),
        "key_join": gettext("the join QR code on the projector, or back"),
        "key_timer": gettext("start the timer, or add 30 s while it runs"),
        "key_hide_results": gettext("hide or show the results on the projector"),
        "key_steps": gettext("the agreed first steps on the projector, or back"),
    }
