"""The publication per phase (seed 004): invitation, tools and an experience, validated with errors that
name the field (issue 12 point 5)."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop.core.questionnaire import QuestionnaireError, default, load

from .test_questionnaire import deleting, setting, write_broken


def test_every_phase_has_an_invitation_tools_with_links_and_an_experience():
    for phase in default().phases:
        pub = phase.publication
        assert pub.invitation.nl.startswith("Klinkt dit bekend?")
        assert len(pub.tools) >= 2
        assert all(t.url.startswith("https://") and t.name.nl and t.purpose.en for t in pub.tools)
        assert pub.experience.organisation and pub.experience.quote.nl
        assert pub.experience.url.startswith("https://www.youtube.com/")
        assert pub.translated == ("en",)  # the English is our translation, and says so


def test_the_quotes_are_dutch_as_in_the_source():
    seed = (Path("/work/shared/seeds/004_f51d93cea6a22d65.txt"))
    if not seed.exists():
        pytest.skip("seed text not available")
    source = " ".join(seed.read_text(encoding="utf-8").split())
    for phase in default().phases:
        first_words = " ".join(phase.publication.experience.quote.nl.split()[:5])
        assert first_words in source, first_words


def test_the_client_gets_the_publication_in_its_language():
    nl = default().to_client("nl")["phases"][3]["publication"]
    en = default().to_client("en")["phases"][3]["publication"]
    assert nl["experience"]["organisation"] == "Concordia" and nl["translated"] is False
    assert en["translated"] is True and en["tools"][0]["url"] == nl["tools"][0]["url"]


@pytest.mark.parametrize("mutation, field", [
    (deleting("phases[0].publication"), "phases[0].publication: missing"),
    (setting("phases[1].publication.tools[0].url", "http://example.org"), "phases[1].publication.tools[0].url: must be an https://"),
    (setting("phases[2].publication.tools[1].url", "javascript:alert(1)"), "phases[2].publication.tools[1].url"),
    (deleting("phases[3].publication.experience.quote"), "phases[3].publication.experience.quote: missing"),
    (setting("phases[0].publication.translated", "de"), "phases[0].publication.translated: must be 'nl' or 'en'"),
    (setting("phases[0].publication.tools", []), "phases[0].publication.tools: must not be empty"),
    (setting("phases[0].publication.extra", "x"), "phases[0].publication.extra: unknown field"),
])
def test_a_broken_publication_names_the_field(tmp_path, mutation, field):
    with pytest.raises(QuestionnaireError) as raised:
        load(write_broken(tmp_path, mutation))
    assert field in str(raised.value)
