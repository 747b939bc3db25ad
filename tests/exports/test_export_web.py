"""Downloads from the facilitator page, the shared report link and the page's notes tools."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from .exports_dataset import CODE, DATA, expected_csv_file, workshop  # noqa: F401 (workshop is a fixture)
from workshop.exports import REPORT_CSP


def sign_in(client, workshop):
    """Make this test client the session's facilitator (the cookie the manage link sets)."""
    assert client.get(f"/s/{CODE}/manage?t={workshop.token}").status_code == 303


def report_url(workshop, enabled=True):
    """Create (or revoke) the shared report link over the facilitator socket; return the link's path."""
    ack = workshop.facilitator.emit("report_link", {"enabled": enabled})
    assert ack["ok"], ack
    url = ack["report"]["url"]
    return url and url[url.index("/r/"):]


@pytest.mark.parametrize("fmt, mimetype", [
    ("json", "application/json"),
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("html", "text/html"),
])
def test_facilitator_downloads_each_format_as_a_file(client, workshop, fmt, mimetype):
    sign_in(client, workshop)
    response = client.get(f"/s/{CODE}/export.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="digitaal-dna-{CODE}-2025-03-14.{fmt}"'
    assert response.headers["Cache-Control"] == "no-store"
    if fmt == "csv":
        assert response.get_data() == expected_csv_file()
    if fmt == "json":
        assert response.get_json() == json.loads((DATA / "summary.json").read_text(encoding="utf-8"))
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.get_data())).sheetnames[0] == "Samenvatting"
    if fmt == "html":
        assert response.headers["Content-Security-Policy"] == REPORT_CSP
        assert "script-src" not in REPORT_CSP and "default-src 'none'" in REPORT_CSP


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_downloads_leave_nicknames_out_when_asked(client, workshop, fmt):
    sign_in(client, workshop)

    def text(query):
        """The download as text, without the first steps (their "who" is the facilitator's text)."""
        body = client.get(f"/s/{CODE}/export.{fmt}{query}").get_data()
        if fmt == "json":
            data = json.loads(body)
            data.pop("steps")
            return json.dumps(data, ensure_ascii=False)
        if fmt == "xlsx":
            sheets = load_workbook(io.BytesIO(body)).worksheets[:3]
            return json.dumps([[c.value for row in ws.iter_rows() for c in row] for ws in sheets], default=str)
        return body.decode("utf-8")

    assert "Dewi, PR" in text("")
    without = text("?nicknames=0")
    for name in ("Anna", "Bram", "Chris", "Dewi"):
        assert name not in without


def test_downloads_need_the_facilitator_cookie(client, workshop):
    response = client.get(f"/s/{CODE}/export.json")
    assert response.status_code == 403
    assert b"participants" not in response.get_data()
    assert client.get("/s/ZZZZZZ/export.json").status_code == 404


def test_an_unknown_format_is_404(client, workshop):
    sign_in(client, workshop)
    assert client.get(f"/s/{CODE}/export.pdf").status_code == 404


def test_shared_report_link_works_until_it_is_revoked(app, client, workshop):
    url = report_url(workshop)
    anyone = app.test_client()
    response = anyone.get(url)
    assert response.status_code == 200
    assert "Fase 4: Ik doe" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == REPORT_CSP
    assert "Content-Disposition" not in response.headers  # read in the browser
    assert response.headers["Cache-Control"] == "no-store"

    assert report_url(workshop, enabled=False) is None
    gone = anyone.get(url)
    assert gone.status_code == 404
    assert "Fase 4" not in gone.get_data(as_text=True)


def test_a_new_report_link_replaces_the_old_one(app, workshop):
    first = report_url(workshop)
    second = report_url(workshop)
    anyone = app.test_client()
    assert first != second
    assert anyone.get(first).status_code == 404
    assert anyone.get(second).status_code == 200


def test_a_guessed_report_key_is_404(app, workshop):
    url = report_url(workshop)
    anyone = app.test_client()
    assert anyone.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB")).status_code == 404
    assert anyone.get(f"/r/{CODE}/").status_code == 404
    assert anyone.get("/r/ZZZZZZ/whatever").status_code == 404


def test_snapshot_restores_notes_steps_and_the_report_link(app, workshop):
    url = report_url(workshop)
    again = app.extensions["socketio"].test_client(app, namespace="/facilitator",
                                                   auth={"code": CODE, "token": workshop.token})
    snapshot = next(e["args"][0] for e in again.get_received("/facilitator") if e["name"] == "snapshot")
    assert snapshot["notes"][""].startswith("Goed gesprek")
    assert len(snapshot["steps"]) == 2
    assert snapshot["report"]["enabled"] is True and snapshot["report"]["url"].endswith(url)
    again.disconnect(namespace="/facilitator")


def test_manage_page_has_the_notes_steps_downloads_and_share_tools(client, workshop):
    sign_in(client, workshop)
    html = client.get(f"/s/{CODE}/manage").get_data(as_text=True)
    for qid in ("begrippen", "uitspraak", "projecten", "kennis"):
        assert f'data-note="{qid}"' in html
    assert 'data-note=""' in html and 'id="steps-rows"' in html and 'id="export-no-nicknames"' in html
    for fmt in ("json", "csv", "xlsx", "html"):
        assert f'href="/s/{CODE}/export.{fmt}"' in html
    assert 'id="report-create"' in html and 'data-copy="report-url"' in html
    assert "js/notes.js" in html
    assert "<script>" not in html and "style=" not in html  # no inline scripts or styles
