"""The exports' words, from the gettext catalog in the session's language (no Flask request needed).

The catalog is the one the pages use (workshop/translations, English msgids); it is loaded
here with Babel directly, so the web download and `workshop export` word a report the same.
Month and language names come from Babel's locale data (CLDR).
"""
from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from babel import Locale
from babel.dates import format_date
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"


@functools.lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The compiled catalog for a language (English, the source language, translates to itself)."""
    return Translations.load(str(TRANSLATIONS), [lang], DOMAIN)


@functools.lru_cache(maxsize=8)
def labels(lang: str) -> Mapping[str, Any]:
    """Every word of the report and the workbook in one language, read-only."""
    _ = translations(lang).gettext
    return MappingProxyType({
        "report": _("Digitaal DNA workshop report"),
        "date": _("Date"), "code": _("Code"), "participants": _("Participants"),
        "complete": _("Answered every question"), "questionnaire": _("Questionnaire"), "language": _("Language"),
        "language_name": Locale.parse(lang).get_display_name(lang).capitalize(),
        "consensus_phase": _("The phase the group agreed on"),
        "group_phase": _("The group's phase (median of the totals)"),
        "provisional": _("Provisional: not every question has an agreed answer yet."),
        "no_phase": _("No phase yet: nobody has answered every question."),
        "median_total": _("Median of the totals"), "agreed_total": _("Agreed total"),
        "of_max": _("{value} of {max}"), "phase_n": _("Phase {n}"),
        "closing": _("At the end of this phase you can say:"),
        "recognise": _("Where does your organisation stand?"), "tips": _("Getting started"),
        "people_per_phase": _("Participants per phase"), "first_round": _("First round"),
        "latest": _("Latest answers"), "changed_phase": _("Changed phase after a new round"),
        "phase": _("Phase"), "people": _("People"),
        "ladder": _("The four phases; marked: {name}"), "you_are_here": _("your phase"),
        "questions": _("Questions"), "question": _("Question"), "round_n": _("Round {n}"), "option": _("Answer"),
        "agreed_answer": _("Agreed answer"), "agreed_mark": _("agreed on"), "median": _("median"),
        "none_agreed": _("not agreed yet"), "answered_of": _("{n} of {joined} answered"),
        "agreement": _("agreement {pct}"), "too_few": _("too few answers for measures"),
        # the projector's words (workshop/web/jsstrings.py), so a verdict reads the same everywhere
        "verdicts": MappingProxyType({"agreed": _("agreed"), "mixed": _("mixed"), "polarised": _("polarised")}),
        "discuss_first": _("Discuss first"),
        "discuss_help": _("Order: polarised questions first (most polarised first), then mixed ones (smallest top "
                          "answer first), then agreed ones (smallest majority first)."),
        # the figure a verdict rests on (the msgids of workshop/web/jsstrings.py)
        "reading_agreed": _("{pct} choose {option}"),
        "reading_mixed_one": _("spread over {n} answer; most chosen: {option}"),
        "reading_mixed_other": _("spread over {n} answers; most chosen: {option}"),
        "camp_one": _("{n} says {option}"), "camp_other": _("{n} say {option}"), "or_join": _("{list} or {last}"),
        # the strip plot of totals and the split headline (the msgids of workshop/web/jsstrings.py)
        "and_join": _("{list} and {last}"), "people_n_one": _("{n} person"), "people_n_other": _("{n} people"),
        "median_is": _("median {total}"), "strip_caption": _("Total per person (0–{max} points): one dot per person"),
        "strip_item_one": _("{n} person with {total} points"), "strip_item_other": _("{n} people with {total} points"),
        "split_title": _("Split"), "split_largest": _("Most people are in {phases}"),
        "split_median": _("{phase}, the phase of the median, holds {n} of {total} people"),
        # the rest of the publication for the agreed phase (the msgids of workshop/web/jsstrings.py)
        "pub_tools": _("Tools"), "pub_sector": _("Experiences from the sector"), "pub_who": _("{person}, {organisation}"),
        "pub_watch": _("Watch the video:"), "pub_qr_alt": _("QR code of the link below"),
        "pub_translated": _("The English texts are our translation of the Dutch publication."),
        "disciplines": _("By discipline"),
        "agreement_columns": _("Question 1–{n}: agreement per question, in the latest answers."),
        "disciplines_help": _("Disciplines with fewer than {min} people are merged into ‘Other’; "
                              "if that group is still too small, it is left out here."),
        "disciplines_none": _("No disciplines were given, or the groups are too small to show."),
        "group": _("Group"), "other": _("Other"), "notes": _("Notes"), "general_note": _("General"),
        "no_notes": _("No notes."), "steps": _("First small steps"), "what": _("What"), "who": _("Who"),
        "due": _("By when"), "no_steps": _("No steps agreed yet."), "attribution": _("Source"),
        "generated": _("Made on {date} with the Digitaal DNA workshop app."),
        "sheets": (_("Summary"), _("Questions"), _("Answers"), _("Notes and steps"), _("Challenges and ideas")),
        "activities_title": _("Challenges and first steps"), "kind": _("Kind"), "text": _("Text"),
        "status": _("Status"), "dots": _("Dots"), "idea_prompt": _("Question"), "everyone": _("Everyone"),
        "challenge": _("Challenge"), "idea": _("Idea"), "from_idea": _("From idea"),
        "challenges_heading": _("Challenges the room recognises"), "top_ideas": _("Ideas with the most dots"),
        "people_picked": _("{n} people chose one or two challenges."), "no_challenges": _("No challenges were chosen."),
        "no_ideas": _("No dots were placed on ideas."),
        "idea_status": MappingProxyType({"pending": _("waiting"), "approved": _("on the wall"),
                                         "hidden": _("hidden"), "merged": _("merged")}),
        "item": _("Item"), "value": _("Value"), "title": _("Title"), "stage": _("Stage"),
        "nickname": _("Nickname"), "discipline": _("Discipline"), "number": _("No."), "round": _("Round"),
        "points": _("Points"), "count": _("Count"), "share": _("Share"), "answered": _("Answered"),
        "joined": _("Participants"), "agreement_col": _("Agreement (1 − Leik D)"),
        "consensus_col": _("Consensus (Tastle-Wierman)"), "vde_col": _("Agreement (van der Eijk)"),
        "verdict": _("Verdict"), "answered_at": _("Answered at ({zone})"), "participant": _("Participant"),
        "topic": _("Topic"), "note": _("Note"), "none": _("none"), "yes": _("yes"),
        # steps carried over from the followed session (issue 15), with what became of them
        "from_last_time": _("from last time"),
        "step_statuses": MappingProxyType({"done": _("done"), "partly": _("partly"), "not_yet": _("not yet"),
                                           None: _("not discussed yet")}),
        # the stage words of the pages
        "stages": MappingProxyType({"lobby": _("not started"), "running": _("running"), "results": _("results"),
                                    "ended": _("ended")}),
    })


def summary_labels(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    """The labels in a summary's session language."""
    return labels(summary["session"]["language"])


def percent(share: float | None) -> str:
    """A share in [0, 1] as a whole percentage, rounding halves up like the pages do."""
    return "–" if share is None else f"{int(share * 100 + 0.5)}%"


def number(value: float | None, lang: str) -> str:
    """A number with at most one decimal, with a decimal comma in Dutch."""
    if value is None:
        return "–"
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang == "nl" else text


def long_date(iso: str, lang: str) -> str:
    """An ISO timestamp's (UTC) date written out, e.g. '14 maart 2025' or '14 March 2025'."""
    return format_date(datetime.fromisoformat(iso).date(), "d MMMM y", locale=lang)
