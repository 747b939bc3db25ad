"""The activities in the exports: summary fields, the activities CSV, the workbook sheet and the report page."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.web.conftest import room  # noqa: F401 (a fixture)

FORMULA = '=HYPERLINK("http://evil.example","klik")'


def run(r):
    """Three phones pick challenges, send ideas (one a formula, one HTML), vote; one merge; a step from an idea."""
    phones = [r.join(name, discipline)[0] for name, discipline in
              [("A", "Publiek"), ("B", "Publiek"), ("C", "Publiek"), ("D", None)]]
    act = lambda action, **f: r.facilitator.emit("activity", {"action": action, **f})  # noqa: E731
    assert act("open", activity="challenges")["ok"]
    for phone, picks in zip(phones, [["ict-basis"], ["ict-basis", "belangen"], ["belangen"], ["ict-basis"]]):
        assert phone.emit("pick", {"picks": picks})["ok"]
    act("reveal", activity="challenges")
    assert act("auto_approve", enabled=True)["ok"]  # a new session moderates its ideas: these go straight on
    act("open", activity="ideas")
    texts = [FORMULA, "<script>alert(1)</script> podcast", "Podcast", "-2+3 kaartverkoop"]
    ids = [p.emit("idea", {"text": t, "prompt": "project"})["idea"]["id"] for p, t in zip(phones, texts)]
    act("open", activity="vote")
    assert phones[0].emit("dots", {"idea": ids[1], "count": 2})["ok"]
    assert phones[1].emit("dots", {"idea": ids[2], "count": 1})["ok"]
    assert r.facilitator.emit("moderate", {"action": "merge", "idea": ids[2], "target": ids[1]})["ok"]
    assert r.facilitator.emit("steps", {"items": [{"what": "Podcast maken", "who": "Eva", "due": "mei",
                                                   "idea": ids[1]}]})["ok"]
    return ids


def summary(client, r):
    """The JSON summary over the API."""
    response = client.get(f"/api/sessions/{r.code}/summary",
                          headers={"Authorization": f"Bearer {r.session['facilitator_token']}"})
    assert response.status_code == 200
    return response.get_json()


def sign_in(client, r):
    """Make the test client the facilitator."""
    assert client.get(f"/s/{r.code}/manage?t={r.session['facilitator_token']}").status_code == 303


def test_the_summary_grows_with_challenges_ideas_and_step_links(room, client):
    r = room(disciplines=["Publiek", "ICT"])
    ids = run(r)
    data = summary(client, r)
    assert data["schema"] == "workshop.summary/2"
    challenges = data["challenges"]
    assert challenges["respondents"] == 4
    assert [(c["id"], c["count"], c["share"]) for c in challenges["items"][:2]] == [
        ("ict-basis", 3, 0.75), ("belangen", 2, 0.5)]
    # Publiek (3) and one person without a discipline: 'other' (1) is too small and takes in Publiek, no split.
    assert challenges["by_discipline"] == []
    ideas = {i["id"]: i for i in data["ideas"]}
    assert ideas[ids[2]]["status"] == "merged" and ideas[ids[2]]["merged_into"] == ids[1]
    assert ideas[ids[1]]["dots"] == 3 and ideas[ids[1]]["authors"] == 2
    assert ideas[ids[0]]["text"] == FORMULA and ideas[ids[0]]["prompt"] == "project"
    assert ideas[ids[0]]["prompt_text"].startswith("Kan een digitaal element")
    assert data["steps"] == [{"what": "Podcast maken", "who": "Eva", "due": "mei", "idea": ids[1]}]
    assert data["activities"]["status"]["vote"] == "open"


def test_the_activities_csv_defuses_formulas(room, client):
    r = room(disciplines=["Publiek", "ICT"])
    ids = run(r)
    sign_in(client, r)
    response = client.get(f"/s/{r.code}/export.activities")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('.activities.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    ideas = {r_["id"]: r_ for r_ in rows if r_["kind"] == "idea"}
    assert ideas[str(ids[0])]["text"] == "'" + FORMULA
    assert ideas[str(ids[3])]["text"] == "'-2+3 kaartverkoop"
    steps = [r_ for r_ in rows if r_["kind"] == "step"]
    assert steps[0]["idea"] == str(ids[1])
    assert any(r_["kind"] == "challenge" and r_["id"] == "ict-basis" and r_["count"] == "3" for r_ in rows)


def test_the_workbook_has_a_sheet_of_challenges_and_ideas_as_text(room, client):
    r = room(disciplines=["Publiek", "ICT"])
    run(r)
    sign_in(client, r)
    book = load_workbook(io.BytesIO(client.get(f"/s/{r.code}/export.xlsx").data))
    sheet = book["Uitdagingen en ideeën"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any(row[0].value == "Uitdaging" and row[3].value == 3 for row in sheet.iter_rows(min_row=2))


def test_the_report_has_a_page_of_challenges_and_first_steps_escaped(room, client):
    r = room(disciplines=["Publiek", "ICT"])
    run(r)
    sign_in(client, r)
    html = client.get(f"/s/{r.code}/export.html").get_data(as_text=True)
    assert "Uitdagingen en eerste stappen" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; podcast" in html
    assert "Uit idee: &lt;script&gt;" in html
