"""The comparison of a cohort built through the API and Socket.IO: its numbers are the sessions' own, and secret-bound."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from workshop import cli

from .followup_helpers import FakeClock, run_session, summary


@pytest.fixture
def cohort(app, socketio, client):
    """Three sessions of Museum De Waag (each following the one before) and two of Theater Bouwkunde."""
    app.extensions["workshop"].live.clock = FakeClock()
    waag1 = run_session(app, socketio, client, title="Waag 2023", organisation="Museum De Waag", levels=[0, 0, 1],
                        steps=[{"what": "Visie op papier", "who": "Directie", "due": "2024"}])
    bouw1 = run_session(app, socketio, client, title="Bouwkunde start", organisation="Theater Bouwkunde",
                        levels=[2, 3, 3, 3], agree={"begrippen": "dagelijks"})
    waag2 = run_session(app, socketio, client, title="Waag 2024", follows=waag1, levels=[1, 1, 2, 2],
                        steps=[{"what": "Data-analist aannemen", "who": "", "due": ""}])
    waag2["facilitator"].emit("step_status", {"position": 0, "status": "done"})
    bouw2 = run_session(app, socketio, client, title="Bouwkunde vervolg", follows=bouw1, levels=[3, 3])
    waag3 = run_session(app, socketio, client, title="Waag 2025", follows=waag2, levels=[2, 3, 3])
    waag3["facilitator"].emit("step_status", {"position": 0, "status": "partly"})
    return [waag1, bouw1, waag2, bouw2, waag3]


def compare(client, sessions, **extra):
    """POST /api/compare with the code and token of each session."""
    body = {"sessions": [{"code": s["code"], "token": s["facilitator_token"]} for s in sessions], **extra}
    return client.post("/api/compare", json=body)


def test_one_column_per_session_in_date_order_with_each_sessions_own_numbers(client, cohort):
    reply = compare(client, list(reversed(cohort)))
    assert reply.status_code == 200, reply.get_json()
    data = reply.get_json()
    assert data["schema"] == "workshop.comparison/1"
    assert [c["code"] for c in data["columns"]] == [s["code"] for s in cohort]
    summaries = [summary(client, s) for s in cohort]
    for column, own in zip(data["columns"], summaries):
        r = own["results"]
        assert (column["joined"], column["complete"], column["median_total"]) == (r["joined"], r["complete"],
                                                                                 r["median_total"])
        assert (column["group_phase"], column["consensus_phase"]) == (r["group_phase"], r["consensus_phase"])
        assert column["phase_counts"] == r["phase_counts"]
        assert column["organisation"] == own["session"]["organisation"]
        assert [s["what"] for s in column["steps"]] == [s["what"] for s in own["steps"]]
    for row in data["questions"]:
        for cell, own in zip(row["cells"], summaries):
            stats = next(q for q in own["questions"] if q["id"] == row["id"])["rounds"][-1]["stats"]
            assert cell["counts"] == stats["counts"] and cell["agreement"] == stats["agreement"]
    assert data["columns"][2]["step_tally"]["done"] == 1 and data["columns"][4]["step_tally"]["partly"] == 1
    numbers = [c["headline_number"] for c in data["columns"]]
    assert data["phase_changes"] == [b - a for a, b in zip(numbers, numbers[1:])]
    assert "P1" not in json.dumps(data) and "nickname" not in json.dumps(data)  # nothing about a participant


def test_one_column_per_organisation_from_its_latest_session(client, cohort):
    data = compare(client, cohort, by="organisation").get_json()
    waag3, bouw2 = cohort[4], cohort[3]
    assert [(c["key"], c["code"]) for c in data["columns"]] == [("Theater Bouwkunde", bouw2["code"]),
                                                                ("Museum De Waag", waag3["code"])]
    assert data["columns"][1]["earlier"] == [cohort[0]["code"], cohort[2]["code"]]
    own = summary(client, waag3)
    assert data["columns"][1]["median_total"] == own["results"]["median_total"]
    assert data["questions"][0]["cells"][1]["counts"] == own["questions"][0]["rounds"][-1]["stats"]["counts"]


@pytest.mark.parametrize("spoil", ["missing", "wrong", "other_sessions_token"])
def test_a_comparison_without_the_secret_of_every_session_is_refused(client, cohort, spoil):
    items = [{"code": s["code"], "token": s["facilitator_token"]} for s in cohort]
    if spoil == "missing":
        del items[2]["token"]
    elif spoil == "wrong":
        items[2]["token"] = "not-the-token"
    else:
        items[2]["token"] = cohort[0]["facilitator_token"]
    reply = client.post("/api/compare", json={"sessions": items})
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "not_facilitator_of_all"
    assert "columns" not in reply.get_json()


def test_the_page_needs_this_browser_to_facilitate_every_session(app, client, cohort):
    browser = app.test_client()
    codes = [s["code"] for s in cohort[:2]]
    assert browser.get(f"/s/{codes[0]}/manage?t={cohort[0]['facilitator_token']}").status_code == 303  # signs in
    query = "&".join(f"c={c}" for c in codes)
    refused = browser.get(f"/compare?{query}")
    assert refused.status_code == 403 and "Bouwkunde start" not in refused.get_data(as_text=True)
    assert browser.get(f"/s/{codes[1]}/manage?t={cohort[1]['facilitator_token']}").status_code == 303
    page = browser.get(f"/compare?{query}")
    assert page.status_code == 200 and "Waag 2023" in page.get_data(as_text=True)
    assert "script-src" not in page.headers["Content-Security-Policy"] or "'none'" in page.headers["Content-Security-Policy"]
    workbook = browser.get(f"/compare?{query}&format=xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["Content-Disposition"]


def test_the_command_line_compares_stored_sessions(app, client, cohort, data_dir, tmp_path, capsys):
    codes = [s["code"] for s in cohort]
    out = tmp_path / "c.json"
    assert cli.main(["compare", *codes, "--format", "json", "--out", str(out), "--data-dir", str(data_dir)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    api = compare(client, cohort).get_json()
    data["generated_at"] = api["generated_at"] = None
    assert data == api
    assert cli.main(["compare", codes[0], "ZZZZZZ", "--data-dir", str(data_dir)]) == 1
    assert "ZZZZZZ" in capsys.readouterr().err


def test_texts_in_the_comparison_workbook_stay_text(app, socketio, client, data_dir, tmp_path):
    bad = run_session(app, socketio, client, title="=HYPERLINK(\"http://x\")", organisation="+1+1", levels=[1],
                      steps=[{"what": "=cmd|'/c calc'!A0", "who": "@SUM(1)", "due": "-2"}])
    out = tmp_path / "c.xlsx"
    assert cli.main(["compare", bad["code"], "--format", "xlsx", "--out", str(out), "--data-dir", str(data_dir)]) == 0
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    typed = [c for c in cells if c.value[:1] in "=+-@"]
    assert typed and all(c.data_type == "s" for c in typed)
