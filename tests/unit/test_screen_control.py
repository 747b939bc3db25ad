"""The projector's controls in the pure session state: timer, blank, hidden results, names (no Flask)."""
from __future__ import annotations

import pytest

from workshop.core import commands
from workshop.core import state as sm
from workshop.core.questionnaire import default
from workshop.core.state import Rejected, SessionState
from workshop.core.tally import Member, Tally, mask_for_screen

Q = default()
IDS = [q.id for q in Q.questions]


def running(pacing: str = "paced") -> SessionState:
    """A started session on its first question."""
    return commands.apply(sm.initial(pacing, IDS), "start")


def test_a_timer_on_the_open_question_has_its_deadline_on_the_server_clock():
    s = commands.apply(running(), "timer", question=IDS[0], seconds=60, reveal=False, now=1000.0)
    assert s.timer == sm.Timer(IDS[0], 1060.0, 60, False)
    s = commands.apply(s, "timer_add", seconds=30)
    assert (s.timer.deadline, s.timer.seconds) == (1090.0, 90)


def test_a_timer_needs_an_open_question():
    s = running()
    with pytest.raises(Rejected) as exc:
        commands.apply(s, "timer", question=IDS[1], seconds=60, now=0.0)
    assert exc.value.code == "not_allowed_now"
    with pytest.raises(Rejected):
        commands.apply(s, "timer", question=IDS[0], seconds=0, now=0.0)
    with pytest.raises(Rejected):
        commands.apply(s, "timer_add", seconds=30)  # nothing runs


def test_at_the_deadline_the_question_closes_or_is_revealed():
    s = commands.apply(running(), "timer", question=IDS[0], seconds=30, now=100.0)
    with pytest.raises(Rejected):
        commands.apply(s, "timer_expire", now=129.9)  # not yet
    closed = commands.apply(s, "timer_expire", now=130.0)
    assert closed.questions[IDS[0]].status == "closed" and closed.timer is None
    s = commands.apply(running(), "timer", question=IDS[0], seconds=30, reveal=True, now=100.0)
    revealed = commands.apply(s, "timer_expire", now=131.0)
    assert revealed.questions[IDS[0]].status == "revealed" and revealed.timer is None


def test_closing_or_moving_on_ends_the_timer():
    s = commands.apply(running(), "timer", question=IDS[0], seconds=30, now=100.0)
    assert commands.apply(s, "close", question=IDS[0]).timer is None
    assert commands.apply(s, "next").timer is None
    assert commands.apply(s, "view", view="join").timer == s.timer  # the screen's view does not touch it


def test_the_timer_and_the_screen_settings_survive_storage():
    s = commands.apply(running(), "timer", question=IDS[0], seconds=120, reveal=True, now=5.5)
    for action, extra in (("blank", {}), ("hide_results", {}), ("names", {"names": "off"}),
                          ("hide_name", {"participant": 7})):
        s = commands.apply(s, action, **extra)
    again = SessionState.from_dict(s.to_dict())
    assert again == s
    assert (again.blank, again.hide_results, again.names, again.hidden_names) == (True, True, "off", (7,))
    assert commands.apply(again, "show_name", participant=7).hidden_names == ()
    assert SessionState.from_dict({k: v for k, v in running().to_dict().items() if k != "timer"}).timer is None


def test_names_must_be_a_known_mode():
    with pytest.raises(Rejected):
        commands.apply(running(), "names", names="loud")


def tally_of(n: int) -> Tally:
    """n members named p1..pn who answered the first question."""
    t = Tally(Q)
    for pid in range(1, n + 1):
        t.add(Member(pid, pid, f"p{pid}", None))
        t.set_answer(pid, IDS[0], 1, Q.questions[0].options[0].id, pid)
    return t


def test_the_projector_hides_a_single_nickname_and_names_above_the_limit():
    t = tally_of(3)
    s = running()
    assert mask_for_screen(t.live(s), s)["names"] == ["p1", "p2", "p3"]
    hidden = commands.apply(s, "hide_name", participant=2)
    assert mask_for_screen(t.live(hidden), hidden)["names"] == ["p1", "p3"]
    assert mask_for_screen(t.live(s), s, names_max=2)["names"] == []  # auto, above the limit
    on = commands.apply(s, "names", names="on")
    assert mask_for_screen(t.live(on), on, names_max=2)["names"] == ["p1", "p2", "p3"]
    off = commands.apply(s, "names", names="off")
    assert mask_for_screen(t.live(off), off)["names"] == []
    assert "name_ids" not in mask_for_screen(t.live(s), s)


def test_blank_or_hidden_results_withhold_every_answer_from_the_projector():
    t = tally_of(4)
    s = commands.apply(commands.apply(running(), "reveal", question=IDS[0]), "results")
    shown = mask_for_screen(t.live(s), s)
    assert shown["questions"][IDS[0]]["rounds"] and shown["results"] is not None
    for action in ("blank", "hide_results"):
        masked = mask_for_screen(t.live(commands.apply(s, action)), commands.apply(s, action))
        assert "rounds" not in masked["questions"][IDS[0]]
        assert masked["results"] is None and masked["disciplines"] == []
        assert masked["joined"] == 4
