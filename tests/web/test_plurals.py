"""A number meets a noun through ngettext: "1 persoon", never "1 mensen" (issue 11, point 9)."""
from __future__ import annotations

import re

import pytest

from workshop.web import jsstrings

from .test_pages import create_by_form

PLURAL_NOUNS = r"(people|participants|persons|questions|answers|disciplines|mensen|deelnemers|personen|vragen)"


def strings(app, lang: str) -> dict[str, str]:
    """The JavaScript strings in one language."""
    with app.test_request_context(f"/?lang={lang}"):
        return jsstrings.strings()


@pytest.mark.parametrize("lang,one,other", [
    ("nl", "{n} persoon beantwoordde alle vragen", "{n} mensen beantwoordden alle vragen"),
    ("en", "{n} person answered every question", "{n} people answered every question"),
])
def test_who_answered_everything_has_a_singular(app, lang, one, other):
    texts = strings(app, lang)
    assert (texts["complete_one"], texts["complete_other"]) == (one, other)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_count_of_a_plural_noun_has_its_singular(app, lang):
    texts = strings(app, lang)
    counted = {key for key, text in texts.items() if re.search(r"\{n\} " + PLURAL_NOUNS + r"\b", text)}
    assert counted, "the pattern finds the plural forms"
    for key in counted:
        assert key.endswith("_other"), f"{key} puts {{n}} before a plural noun without a singular form"
        singular = texts[key[: -len("_other")] + "_one"]
        assert singular != texts[key] and not re.search(r"\{n\} " + PLURAL_NOUNS + r"\b", singular), key


def test_a_limit_of_one_discipline_reads_in_the_singular(make_app):
    client = make_app(MAX_DISCIPLINES=1).test_client()
    response = create_by_form(client, disciplines="Directie\nMarketing")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Geef hoogstens 1 discipline van hoogstens" in text and "1 disciplines" not in text
