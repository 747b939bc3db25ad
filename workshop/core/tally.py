"""The room's answers in memory and the live aggregate built from them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from workshop.core import stats
from workshop.core.spread import group_spread, totals_histogram
from workshop.core.questionnaire import Question, Questionnaire
from workshop.core.screen_control import NAMES_AUTO_MAX, names_shown
from workshop.core.state import SessionState, all_agreed

RECENT_NAMES = 60
ROSTER_MAX = 300


@dataclass
class Member:
    """One active participant as the tally sees it."""

    id: int
    number: int
    nickname: str | None
    discipline: str | None
    late: bool = False  # joined after the first question opened (shown to the facilitator)


@lru_cache(maxsize=8192)
def question_stats(counts: tuple[int, ...], joined: int) -> stats.QuestionStats:
    """stats.question_stats, remembered: most spreads are unchanged between two live aggregates."""
    return stats.question_stats(counts, joined)


class Tally:
    """Answers of a session's active participants with counts kept per question and round."""

    def __init__(self, questionnaire: Questionnaire):
        """Start an empty tally for a questionnaire."""
        self.questionnaire = questionnaire
        self.members: dict[int, Member] = {}
        self.answers: dict[int, dict[str, dict[int, str]]] = {}
        self.counts: dict[tuple[str, int], list[int]] = {}
        self.seq = 0  # the highest sequence number of an answer in the counts
        self.reserved = 0  # the highest one given to an answer (next_seq), committed or still being committed
        # Per participant: latest answers, total and first-round total, until its answers change.
        self._summaries: dict[int, tuple[dict[str, str], int | None, int | None]] = {}
        self._groups: dict[int, dict[str, list[int]]] = {}  # discipline groups by minimum size, until members change
        self._labels: dict[int, dict[int, str]] = {}  # each member's group, by minimum size, until members change
        # Counts per option by group per (minimum size, question, round), kept up to date by set_answer.
        self._group_counts_cache: dict[tuple[int, str, int], dict[str, list[int]]] = {}

    @classmethod
    def from_rows(cls, questionnaire: Questionnaire, participants: Iterable[Mapping[str, Any]],
                  answers: Iterable[Mapping[str, Any]]) -> "Tally":
        """Build a tally from stored participant and answer rows; removed participants do not count."""
        tally = cls(questionnaire)
        for p in participants:
            if p["removed_at"] is None:
                late = bool(p["joined_late"]) if "joined_late" in p.keys() else False
                tally.add(Member(p["id"], p["number"], p["nickname"], p["discipline"], late))
        for a in answers:
            if a["participant_id"] in tally.members and questionnaire.question(a["question_id"]):
                tally.set_answer(a["participant_id"], a["question_id"], a["round"], a["option_id"], a["seq"])
        return tally

    def add(self, member: Member) -> None:
        """Add a participant who joined."""
        self.members[member.id] = member
        self.answers.setdefault(member.id, {})
        self._forget_groups()

    def remove(self, participant_id: int) -> None:
        """Drop a participant and take its answers out of the counts."""
        for question_id, rounds in self.answers.pop(participant_id, {}).items():
            for round_, option_id in rounds.items():
                self._count(question_id, round_, option_id, -1)
        self.members.pop(participant_id, None)
        self._summaries.pop(participant_id, None)
        self._forget_groups()

    def next_seq(self) -> int:
        """A new sequence number for an accepted answer, above every one given before."""
        self.reserved = max(self.reserved, self.seq) + 1
        return self.reserved

    def set_answer(self, participant_id: int, question_id: str, round_: int, option_id: str, seq: int) -> None:
        """Record a participant's answer, replacing its earlier answer in the same round."""
        rounds = self.answers[participant_id].setdefault(question_id, {})
        previous = rounds.get(round_)
        if previous is not None:
            self._count(question_id, round_, previous, -1)
        rounds[round_] = option_id
        self._count(question_id, round_, option_id, +1)
        self.seq = max(self.seq, seq)
        self._summaries.pop(participant_id, None)
        self._move_group_count(participant_id, question_id, round_, previous, option_id)

    def _forget_groups(self) -> None:
        """Drop the discipline groups and their counts after the members changed."""
        self._groups.clear()
        self._labels.clear()
        self._group_counts_cache.clear()

    def _move_group_count(self, participant_id: int, question_id: str, round_: int, previous: str | None,
                          option_id: str) -> None:
        """Move one changed answer between option counts in the cached group counts of its question and round."""
        question = self.questionnaire.question(question_id)
        for (size, qid, r), counts in self._group_counts_cache.items():
            if qid == question_id and r == round_:
                by_option = counts[self._labels[size][participant_id]]
                if previous is not None:
                    by_option[question.option(previous).rank] -= 1
                by_option[question.option(option_id).rank] += 1

    def _count(self, question_id: str, round_: int, option_id: str, delta: int) -> None:
        """Change one option's count by delta."""
        question = self.questionnaire.question(question_id)
        key = (question_id, round_)
        if key not in self.counts:
            self.counts[key] = [0] * len(question.options)
        self.counts[key][question.option(option_id).rank] += delta

    def counts_for(self, question_id: str, round_: int) -> list[int]:
        """Return the count per option rank for one question and round."""
        question = self.questionnaire.question(question_id)
        return list(self.counts.get((question_id, round_), [0] * len(question.options)))

    def latest(self, participant_id: int, max_round: int | None = None) -> dict[str, str]:
        """Return a participant's answer per question from the latest round it voted in."""
        result = {}
        for question_id, rounds in self.answers.get(participant_id, {}).items():
            usable = [r for r in rounds if max_round is None or r <= max_round]
            if usable:
                result[question_id] = rounds[max(usable)]
        return result

    def _summary(self, participant_id: int) -> tuple[dict[str, str], int | None, int | None]:
        """A participant's latest answers, their total and its first-round total (cached: read-only)."""
        summary = self._summaries.get(participant_id)
        if summary is None:
            latest = self.latest(participant_id)
            summary = (latest, self.total(latest), self.total(self.latest(participant_id, max_round=1)))
            self._summaries[participant_id] = summary
        return summary

    def total(self, answers: dict[str, str]) -> int | None:
        """Return the total of a complete set of answers, None when a question is missing."""
        if len(answers) < len(self.questionnaire.questions):
            return None
        return self.questionnaire.total(answers)

    def result(self, participant_id: int) -> dict[str, Any] | None:
        """Return a participant's private result (personal_result), None while they answered nothing."""
        answers = self.latest(participant_id)
        if not answers:
            return None
        return personal_result(self.questionnaire, answers)

    def names(self) -> list[str]:
        """Return the most recent nicknames, newest last."""
        return [name for _pid, name in self.named()]

    def named(self) -> list[tuple[int, str]]:
        """Return the most recent (participant id, nickname) pairs, newest last."""
        recent = []
        for member in reversed(self.members.values()):
            if member.nickname:
                recent.append((member.id, member.nickname))
                if len(recent) == RECENT_NAMES:
                    break
        return recent[::-1]

    def live(self, state: SessionState, *, min_group_size: int = stats.MIN_GROUP_SIZE,
             details: bool = True) -> dict[str, Any]:
        """Build the full live aggregate for the facilitator (screens get a masked copy).

        details=False leaves out results and disciplines (None, []): all the projector needs while
        `screen_shows_results` is false, at a fraction of the cost with many participants.
        """
        joined = len(self.members)
        named = self.named()
        questions = {}
        latest_stats = {}
        for question in self.questionnaire.questions:
            qs = state.questions[question.id]
            rounds = []
            for round_ in range(1, qs.round + 1):
                st = question_stats(tuple(self.counts_for(question.id, round_)), joined)
                rounds.append({"round": round_, "stats": st.to_dict()})
            latest_stats[question.id] = st
            questions[question.id] = {
                "round": qs.round,
                "answered": st.n,
                "agreed": qs.agreed,
                "rounds": rounds,
            }
        return {
            "seq": self.seq,
            "joined": joined,
            "names": [name for _pid, name in named],
            "name_ids": [pid for pid, _name in named],
            "questions": questions,
            "results": self._results(state, latest_stats) if details else None,
            "disciplines": self._disciplines(state, min_group_size) if details else [],
        }

    def _phase_counts(self, totals: Iterable[int]) -> dict[str, int]:
        """Count how many totals fall in each phase."""
        counter: Counter[str] = Counter()
        for total, n in Counter(totals).items():  # a few distinct totals, many participants
            counter[self.questionnaire.phase_for(total).id] += n
        return {phase.id: counter.get(phase.id, 0) for phase in self.questionnaire.phases}

    def _results(self, state: SessionState, latest_stats: dict[str, stats.QuestionStats]) -> dict[str, Any]:
        """Phase counts, group phase, rounds shift, discuss-first order and consensus phase."""
        q = self.questionnaire
        latest_totals, first_totals, changed = [], [], 0
        several_rounds = any(state.questions[qid].round > 1 for qid in state.order)
        for participant_id in self.members:
            _, total, first = self._summary(participant_id)
            if total is not None:
                latest_totals.append(total)
            if not several_rounds:
                first = total
            if first is not None:
                first_totals.append(first)
                if total not in (None, first) and q.phase_for(first).id != q.phase_for(total).id:
                    changed += 1
        median = stats.median_total(latest_totals)
        phase_counts = self._phase_counts(latest_totals)
        group_phase = q.phase_for(median).id if median is not None else None
        agreed = {qid: state.questions[qid].agreed for qid in state.order}
        complete = all_agreed(state)
        agreed_total = q.total({k: v for k, v in agreed.items() if v is not None})
        return {
            "complete": len(latest_totals),
            "median_total": median,
            "group_phase": group_phase,
            "phase_counts": phase_counts,
            "first_round_phase_counts": self._phase_counts(first_totals),
            "changed_phase": changed,
            "discuss_first": stats.discuss_first(latest_stats),
            "agreed_total": agreed_total,
            "consensus_phase": agreed_phase(q, state),
            "provisional": not complete,
            # issue 12: one mark per person on the strip plot, and whether the median's phase holds most people
            "totals": totals_histogram(latest_totals, q.max_total),
            "spread": group_spread(phase_counts, group_phase),
        }

    def _disciplines(self, state: SessionState, min_group_size: int) -> list[dict[str, Any]]:
        """Per discipline group: size; median total, phase and spread per question where enough of it counts.

        A group's spread for a question counts its members' answers in the question's current round and is
        shown only when at least min_group_size of them answered (stats.groups_shown, per question); its
        median total and phase count only members with a complete total, under the same rule. Joining is
        not enough: fake joins that never answer cannot make a group of one visible.
        """
        groups = self._groups.get(min_group_size)
        if groups is None:
            groups = self._groups[min_group_size] = self._discipline_groups(min_group_size)
            self._labels[min_group_size] = {pid: group for group, members in groups.items() for pid in members}
        if not groups:
            return []
        label = self._labels[min_group_size]
        totals = {pid: self._summary(pid)[1] for pid in label}
        complete = Counter(label[pid] for pid, total in totals.items() if total is not None)
        totals_shown = stats.groups_shown(complete, min_size=min_group_size)
        counts = {}
        for question in self.questionnaire.questions:
            key = (min_group_size, question.id, state.questions[question.id].round)
            if key not in self._group_counts_cache:
                self._group_counts_cache[key] = self._group_counts(question, key[2], label)
            counts[question.id] = self._group_counts_cache[key]
        shown = {qid: stats.groups_shown({g: sum(c) for g, c in by_group.items()}, min_size=min_group_size)
                 for qid, by_group in counts.items()}
        result = []
        for group, members in groups.items():
            group_totals = [totals[pid] for pid in members if totals[pid] is not None]
            median = stats.median_total(group_totals) if group in totals_shown else None
            result.append({
                "group": group,
                "n": len(members),
                "complete": len(group_totals),
                "median_total": median,
                "phase": self.questionnaire.phase_for(median).id if median is not None else None,
                "questions": {
                    qid: {**question_stats(tuple(by_group[group]), len(members)).to_dict(), "withheld": False}
                    if group in shown[qid] else withheld_stats(len(members))
                    for qid, by_group in counts.items()},
            })
        result.sort(key=lambda g: (g["group"] == "other", g["group"]))
        return result

    def _group_counts(self, question: Question, round_: int, label: dict[int, str]) -> dict[str, list[int]]:
        """Per group: the count per option rank of its members' answers to a question in one round."""
        rank = {option.id: option.rank for option in question.options}
        counts = {group: [0] * len(rank) for group in set(label.values())}
        for pid, group in label.items():
            option = self.answers[pid].get(question.id, {}).get(round_)
            if option is not None:
                counts[group][rank[option]] += 1
        return counts

    def _discipline_groups(self, min_group_size: int) -> dict[str, list[int]]:
        """Participant ids per discipline group (small groups together as 'other'); empty without disciplines."""
        if not any(m.discipline for m in self.members.values()):
            return {}
        mapping = stats.group_disciplines(
            {str(pid): m.discipline for pid, m in self.members.items()}, min_size=min_group_size
        )
        groups: dict[str, list[int]] = {}
        for pid, group in mapping.items():
            if group is not None:
                groups.setdefault(group, []).append(int(pid))
        return groups

    def roster(self, connected: set[int]) -> dict[str, Any]:
        """Return the facilitator's list of participants, most recent first."""
        items = []
        for member in reversed(self.members.values()):
            items.append({
                "id": member.id,
                "number": member.number,
                "nickname": member.nickname,
                "discipline": member.discipline,
                "answered": len(self.answers.get(member.id, {})),
                "connected": member.id in connected,
                "late": member.late,
            })
            if len(items) == ROSTER_MAX:
                break
        return {"count": len(self.members), "participants": items}


def personal_result(questionnaire: Questionnaire, answers: Mapping[str, str]) -> dict[str, Any]:
    """A participant's own result from its latest answers: a total and phase only from a complete answer set.

    A phase from a partial total would tell someone who answered 1 of 4 questions "Ik zie, 0 of 10 points"
    (issue 21): with a question missing, `total` and `phase` are None and `missing` names the unanswered
    questions in questionnaire order, so the phone can say which ones.
    """
    missing = [q.id for q in questionnaire.questions if q.id not in answers]
    total = None if missing else questionnaire.total(answers)
    return {
        "total": total,
        "max_total": questionnaire.max_total,
        "phase": questionnaire.phase_for(total).id if total is not None else None,
        "complete": not missing,
        "missing": missing,
        "answers": dict(answers),
    }


def agreed_phase(questionnaire: Questionnaire, state: SessionState) -> str | None:
    """The phase the group agreed on: the phase of the agreed answers' total once every question has one, else None."""
    if not all_agreed(state):
        return None
    return questionnaire.phase_for(questionnaire.total({q: state.questions[q].agreed for q in state.order})).id


def headline(results: Mapping[str, Any] | None) -> dict[str, Any]:
    """The phase to show first: the agreed (consensus) phase once every question has an agreed answer, else the group's (median) phase.

    `results` is the `results` part of a live aggregate or of a summary; `agreed` tells which of the
    two the phase is. The phase is None while nobody answered every question. `split` is true when the
    phase is the group's and fewer than half of the people sit in it: then the headline says the room
    is split, naming `largest`, the phases that together hold most people (core.spread).
    """
    results = results or {}
    agreed = results.get("consensus_phase")
    group = results.get("group_phase")
    spread = results.get("spread")
    if spread is None and results.get("phase_counts") is not None:  # a summary written before `spread`
        spread = group_spread(results["phase_counts"], group)
    split = bool(not agreed and spread and spread["split"])
    return {"phase": agreed or group, "agreed": bool(agreed), "split": split,
            "largest": list(spread["largest"]) if split else []}


def withheld_stats(joined: int) -> dict[str, Any]:
    """A group's figures for a question that too few of its members answered: nothing but the group size."""
    return {"n": None, "joined": joined, "counts": None, "shares": None, "shown": False, "median_rank": None,
            "top_share": None, "dispersion": None, "agreement": None, "consensus": None, "van_der_eijk": None,
            "verdict": None, "reading": None, "withheld": True}


def screen_shows_results(state: SessionState) -> bool:
    """Whether the projector may show results and disciplines now (of revealed questions only)."""
    return state.stage in ("results", "ended") or state.view in ("results", "disciplines", "consensus", "rounds",
                                                                          "consensus_tools", "consensus_sector")


def revealed_to_screen(state: SessionState, question_id: str) -> bool:
    """Whether the projector may see anything of a question's answers: revealed, or the session shows results."""
    if state.stage in ("results", "ended"):
        return True
    question = state.questions.get(question_id)
    return question is not None and question.status == "revealed"


SCREEN_QUESTION_KEYS = ("round", "answered", "agreed")  # all the projector sees of an unrevealed question
GROUP_TOTAL_KEYS = ("complete", "median_total", "phase")  # sums over every question: only when all are public


def with_headline(results: dict[str, Any]) -> dict[str, Any]:
    """The results plus their headline (headline())."""
    return {**results, "headline": headline(results)}


def screen_names(live: dict[str, Any], state: SessionState, names_max: int) -> list[str]:
    """The nicknames the projector may show: none when names are off (or auto above names_max), never a hidden one."""
    if not names_shown(state, live.get("joined") or 0, names_max):
        return []
    hidden = set(state.hidden_names)
    ids = live.get("name_ids") or []
    return [name for pid, name in zip(ids, live.get("names") or []) if pid not in hidden]


def mask_for_screen(live: dict[str, Any], state: SessionState, names_max: int = NAMES_AUTO_MAX) -> dict[str, Any]:
    """What the projector may see of the full aggregate: nothing of an unrevealed question's answers, in any view.

    An unrevealed question keeps only its round, how many answered and the agreed option (the
    facilitator's choice). Results and the discipline view need screen_shows_results; then discipline
    groups carry spreads of public questions only, and results and group totals (sums over every
    question) come only when every question is public. Fields are copied by name, so a field added to
    the aggregate later does not reach the projector unless it is added here. While the projector is
    blank or its results are hidden, it gets no answers at all; nicknames follow the names setting
    (off, or auto above names_max participants) and never include one the facilitator hid.
    """
    withheld = state.blank or state.hide_results
    public = set() if withheld else {qid for qid in live["questions"] if revealed_to_screen(state, qid)}
    everything = public == set(live["questions"]) and all(revealed_to_screen(state, q) for q in state.order)
    late = screen_shows_results(state) and not withheld
    questions = {qid: data if qid in public else {k: data[k] for k in SCREEN_QUESTION_KEYS if k in data}
                 for qid, data in live["questions"].items()}
    disciplines = [{
        "group": group.get("group"),
        "n": group.get("n"),
        **{k: group.get(k) if everything else None for k in GROUP_TOTAL_KEYS},
        "questions": {qid: cell for qid, cell in (group.get("questions") or {}).items() if qid in public},
    } for group in ((live["disciplines"] or []) if late else [])]
    return {
        "seq": live.get("seq"),
        "joined": live.get("joined"),
        "names": screen_names(live, state, names_max),
        "questions": questions,
        "results": with_headline(live["results"]) if late and everything else None,
        "disciplines": disciplines,
    }
