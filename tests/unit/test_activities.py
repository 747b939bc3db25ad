"""The activities' pure rules: programme validation, challenge ranking, dot rules, merge arithmetic."""
from __future__ import annotations

import copy
import tomllib
from dataclasses import replace

import pytest

from workshop.core import activities as act
from workshop.core import ideas as idx
from workshop.core import programme
from workshop.core.ideas import Idea
from workshop.core.state import Rejected


def raw():
    """The bundled activities file as parsed TOML."""
    return tomllib.loads(programme.DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_bundled_programme_has_the_five_seed_challenges_and_the_prompts():
    p = programme.default()
    assert p.programme == ("challenges", "ideas", "vote")
    assert len(p.challenges) == 5 and [x.id for x in p.prompts] == ["project", "process", "audience", "phase"]
    assert p.challenges[2].text("en").startswith("Digital transformation feels a bridge too far")


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(schema=2), "schema"),
    (lambda d: d.update(programme=["challenges", "quiz"]), "programme"),
    (lambda d: d.update(programme=["ideas", "ideas"]), "programme"),
    (lambda d: d["challenges"][2].pop("en"), "challenges[2].en"),
    (lambda d: d["challenges"][1].update(id="ict-basis"), "challenges[1].id"),
    (lambda d: d["prompts"][0].update(nl="   "), "prompts[0].nl"),
    (lambda d: d["prompts"][3].update(en="x" * 141), "prompts[3].en"),
    (lambda d: d.update(challenges=[]), "challenges"),
    (lambda d: d["challenges"][0].update(id="Not An Id"), "challenges[0].id"),
])
def test_a_malformed_programme_is_refused_naming_the_field(change, field):
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(programme.ProgrammeError) as error:
        programme.parse(data)
    assert f"activities.toml: {field}:" in str(error.value)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    bad = tmp_path / "activities.toml"
    bad.write_text("schema = ", encoding="utf-8")
    with pytest.raises(programme.ProgrammeError, match="activities.toml: TOML syntax error"):
        programme.load(bad)


def state(**status):
    """An activity state with all three activities and some statuses."""
    s = act.initial(act.ACTIVITIES, [("a", "A"), ("b", "B"), ("c", "C")])
    for activity, value in status.items():
        s = act.ActivityState(s.programme, {**s.status, activity: value}, s.challenges)
    return s


def test_programme_choice_keeps_the_order_and_needs_ideas_for_the_vote():
    assert act.clean_programme(["vote", "ideas"]) == ("ideas", "vote")
    assert act.clean_programme(None) == act.ACTIVITIES
    with pytest.raises(Rejected):
        act.clean_programme(["vote"])


def test_the_ideas_wall_cannot_be_revealed_and_closing_needs_open():
    s = state()
    with pytest.raises(Rejected) as refused:
        act.apply(s, "close", activity="challenges")
    assert refused.value.code == "activity_closed"
    with pytest.raises(Rejected):
        act.apply(state(ideas="closed"), "reveal", activity="ideas")
    assert act.apply(state(challenges="open"), "reveal", activity="challenges").of("challenges") == "revealed"


def test_challenge_ranking_counts_shares_of_respondents_and_groups_by_rule():
    picks = {1: ("a",), 2: ("a", "b"), 3: ("b",), 4: ("a",), 5: ("c",), 6: ("a", "c")}
    disciplines = {1: "X", 2: "X", 3: "X", 4: "Y", 5: "Y", 6: "Y", 7: "Y"}
    ranking = act.challenge_ranking(state(), picks, disciplines, min_group_size=3)
    assert ranking["respondents"] == 6
    assert [(i["id"], i["count"], i["share"]) for i in ranking["items"]] == [
        ("a", 4, 0.667), ("b", 2, 0.333), ("c", 2, 0.333)]
    assert [(g["group"], g["respondents"]) for g in ranking["by_discipline"]] == [("X", 3), ("Y", 3)]
    small = act.challenge_ranking(state(), picks, disciplines, min_group_size=4)
    assert small["by_discipline"] == []  # both groups too small: everything would be 'other'


def ideas(*statuses):
    """Ideas 1..n by authors 11.. with the given statuses."""
    return {n: Idea(n, 10 + n, "project", f"idee {n}", s, seq=n) for n, s in enumerate(statuses, start=1)}


def test_dots_at_most_two_per_idea_three_in_all_and_movable():
    s, wall = state(vote="open"), ideas("approved", "approved", "hidden")
    mine = idx.place_dots(s, wall, {}, 1, 2, total=3, per_idea=2)
    with pytest.raises(Rejected) as refused:
        idx.place_dots(s, wall, mine, 2, 2, total=3, per_idea=2)
    assert refused.value.code == "too_many_dots"
    with pytest.raises(Rejected):
        idx.place_dots(s, wall, mine, 1, 3, total=3, per_idea=2)
    with pytest.raises(Rejected) as hidden:
        idx.place_dots(s, wall, mine, 3, 1, total=3, per_idea=2)
    assert hidden.value.code == "unknown_idea"
    moved = idx.place_dots(s, wall, idx.place_dots(s, wall, mine, 1, 1, total=3, per_idea=2), 2, 2,
                           total=3, per_idea=2)
    assert moved == {1: 1, 2: 2}
    assert idx.place_dots(s, wall, moved, 1, 0, total=3, per_idea=2) == {2: 2}
    with pytest.raises(Rejected) as closed:
        idx.place_dots(state(vote="closed"), wall, {}, 1, 1, total=3, per_idea=2)
    assert closed.value.code == "activity_closed"


def test_merge_moves_authors_and_dots_capping_each_voter_per_idea():
    wall = ideas("approved", "pending", "approved")
    changed = idx.moderate(wall, "merge", 2, target=1)
    assert changed[2].status == "merged" and changed[2].merged_into == 1
    assert changed[1].all_authors() == (11, 12)
    dots = {1: {1: 1, 2: 1}, 2: {2: 2}, 3: {1: 2, 2: 1, 3: 0}, 4: {3: 1}}
    moved = idx.carry_dots(dots, 2, 1, per_idea=2)
    assert moved == {1: {1: 2}, 2: {1: 2}, 3: {1: 2, 3: 0}}
    assert 4 not in moved
    total_before = sum(sum(d.values()) for d in dots.values())
    after = {**dots, **moved}
    assert sum(sum(d.values()) for d in after.values()) == total_before - 1  # voter 3's third dot returns
    with pytest.raises(Rejected):
        idx.moderate(wall, "merge", 1, target=1)
    with pytest.raises(Rejected):
        idx.moderate({**wall, **changed}, "approve", 2)  # a merged idea is gone


def test_merging_twice_keeps_every_author_once():
    wall = ideas("approved", "approved", "approved")
    wall.update(idx.moderate(wall, "merge", 2, target=1))
    wall.update(idx.moderate(wall, "merge", 1, target=3))
    assert wall[3].all_authors() == (13, 11, 12)


def test_the_wall_shows_only_approved_ideas_newest_first():
    wall = ideas("approved", "hidden", "approved", "pending")
    assert [i["id"] for i in idx.wall(wall)] == [3, 1]


def test_vote_ranking_counts_dots_of_approved_ideas_only():
    wall = ideas("approved", "approved", "hidden")
    dots = {1: {1: 2, 2: 1}, 2: {2: 2, 1: 1}, 3: {2: 1}}
    ranking = idx.vote_ranking(wall, dots, {1: None, 2: None, 3: None}, 3, top=5)
    assert [(i["id"], i["dots"]) for i in ranking["items"]] == [(2, 4), (1, 3)]
    assert ranking["voters"] == 3 and ranking["by_discipline"] == []


def test_too_many_ideas_refused():
    with pytest.raises(Rejected) as refused:
        idx.check_new_idea(state(ideas="open"), 3, 3)
    assert refused.value.code == "too_many_ideas"
    idx.check_new_idea(state(ideas="open"), 2, 3)


@pytest.mark.parametrize("status", ["hidden", "pending"])
def test_only_an_approved_idea_is_a_merge_target(status):
    wall = ideas("approved", status)
    with pytest.raises(Rejected) as refused:
        idx.moderate(wall, "merge", 1, target=2)
    assert (refused.value.code, refused.value.field) == ("merge_target_not_approved", "target")
    assert not idx.merge_target(wall[2]) and idx.merge_target(wall[1])


def test_closing_all_closes_only_open_activities():
    s = state(challenges="revealed", ideas="open", vote="open")
    assert dict(act.close_all(s).status) == {"challenges": "revealed", "ideas": "closed", "vote": "closed"}
    assert act.close_all(state()) == state()


def test_approve_all_approves_every_waiting_idea_and_nothing_else():
    wall = ideas("pending", "hidden", "approved", "pending")
    changed = idx.moderate(wall, "approve_all", None)
    assert sorted(changed) == [1, 4]
    assert all(i.status == "approved" for i in changed.values())
    assert idx.moderate({**wall, **changed}, "approve_all", None) == {}  # none waiting: nothing changes


@pytest.mark.parametrize("activity", act.ACTIVITIES)
@pytest.mark.parametrize("status", act.STATUSES)
@pytest.mark.parametrize("shown", [False, True])
@pytest.mark.parametrize("ended", [False, True])
def test_the_buttons_of_each_activity_are_what_apply_accepts(activity, status, shown, ended):
    s = replace(state(**{activity: status}), current=activity if shown else None)
    expected = []
    if status != "open" and not ended:
        expected.append("open")
    if status == "open":
        expected.append("close")
    if activity != "ideas" and status in ("open", "closed"):
        expected.append("reveal")
    if status != "hidden" and not shown:
        expected.append("show")
    can = act.allowed(s, ended=ended)
    assert can["activities"][activity] == expected
    assert set(can["activities"]) == set(act.ACTIVITIES)
    started = status != "hidden"
    assert can["actions"] == ([] if started else ["programme"]) + (
        [] if activity == "challenges" and started else ["challenges"]) + (["show"] if shown else []) + ["auto_approve"]


def test_what_allowed_leaves_out_apply_refuses():
    with pytest.raises(Rejected) as refused:
        act.apply(state(), "show", activity="ideas")  # a hidden activity is not put on the projector
    assert refused.value.code == "not_allowed_now"
    with pytest.raises(Rejected) as refused:
        act.apply(state(ideas="closed"), "open", activity="ideas", ended=True)
    assert refused.value.code == "session_ended"
    with pytest.raises(Rejected):
        act.apply(state(vote="open"), "programme", activities=["ideas"])  # fixed once an activity started
    with pytest.raises(Rejected):
        act.apply(state(challenges="closed"), "challenges", items=[], text_of=str)


def test_challenges_without_a_challenge_offer_no_open_and_only_the_programme_s_activities_count():
    s = act.initial(("challenges", "ideas"), [])
    can = act.allowed(s)
    assert can["activities"] == {"challenges": [], "ideas": ["open"]}
    assert act.allowed(act.apply(s, "open", activity="ideas"))["activities"]["challenges"] == []
