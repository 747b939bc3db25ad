"""The printed report shows the agreed phase's tools and experience from the sector, every link as text and
as a small inline QR code (issue 12 point 5)."""
from __future__ import annotations

import json
import re

from workshop import exports
from workshop.core.questionnaire import default as default_questionnaire

from .exports_dataset import DATA
from .test_export_split import split_summary


def test_the_agreed_phase_comes_with_its_tools_and_an_experience_from_the_sector():
    summary = json.loads((DATA / "summary.json").read_text(encoding="utf-8"))
    assert summary["results"]["consensus_phase"] == "ik-doe"
    html = exports.to_html(summary, default_questionnaire())
    pub = default_questionnaire().phase("ik-doe").publication
    assert pub.invitation.nl in html
    for tool in pub.tools:
        assert tool.name.nl in html and tool.purpose.nl in html and tool.url.replace("&", "&amp;") in html
    assert pub.experience.quote.nl in html and "Iris, Concordia" in html and pub.experience.url in html
    # one QR code per link, drawn inline, labelled from the catalog
    assert len(re.findall(r'<svg class="pub-qr" role="img" aria-label="QR-code van de link hieronder"', html)) == 4
    assert "Ervaringen uit de sector" in html


def test_a_provisional_group_phase_gets_no_publication_block():
    html = exports.to_html(split_summary(), default_questionnaire())
    assert 'class="pub-qr"' not in html
