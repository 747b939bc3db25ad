"""The JSON summary: exact content for the fixed session, privacy, and the endpoint's access rules."""
from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from workshop import exports
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import initial
from workshop.core.summary import SUMMARY_SCHEMA, build_summary
from workshop.settings import ROOT

from .exports_dataset import CODE, DATA, NOW, workshop  # noqa: F401 (workshop is a fixture)


def get_summary(client, token, query=""):
    """GET the summary endpoint with a bearer token."""
    return client.get(f"/api/sessions/{CODE}/summary{query}", headers={"Authorization": f"Bearer {token}"})


def test_summary_endpoint_gives_exactly_the_expected_json(client, workshop):
    response = get_summary(client, workshop.token)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    expected = (DATA / "summary.json").read_text(encoding="utf-8")
    assert response.get_json() == json.loads(expected)
    assert response.get_data(as_text=True) == expected  # same key order, indentation and characters


def test_summary_follows_the_documented_schema_version(client, workshop):
    data = get_summary(client, workshop.token).get_json()
    assert data["schema"] == SUMMARY_SCHEMA == "workshop.summary/2"
    assert data["generated_at"] == NOW


def test_removed_participants_are_left_out(client, workshop):
    data = get_summary(client, workshop.token).get_json()
    assert [p["id"] for p in data["participants"]] == ["P1", "P2", "P4", "P5"]
    assert {a["participant"] for a in data["answers"]} == {"P1", "P2", "P4", "P5"}
    assert "Eve" not in json.dumps(data)
    assert data["results"]["joined"] == 4


def test_nicknames_can_be_left_out(client, workshop):
    with_names = get_summary(client, workshop.token).get_json()
    response = get_summary(client, workshop.token, "?nicknames=0")
    data = response.get_json()
    assert data["nicknames_included"] is False
    assert [p["nickname"] for p in data["participants"]] == [None] * 4
    beyond_steps = json.dumps({k: v for k, v in data.items() if k != "steps"}, ensure_ascii=False)
    for name in ("Anna", "Bram", "CJ", "Dewi"):  # the steps' "who" is the facilitator's text, not a nickname
        assert name not in beyond_steps
    # Everything else is the same.
    for key in ("participants", "nicknames_included"):
        with_names.pop(key), data.pop(key)
    assert data == with_names


def test_summary_endpoint_refuses_a_missing_or_wrong_token(client, workshop):
    assert client.get(f"/api/sessions/{CODE}/summary").status_code == 401
    missing = client.get(f"/api/sessions/{CODE}/summary", headers={"Authorization": "Basic abc"})
    assert missing.status_code == 401
    wrong = get_summary(client, "not-the-token")
    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "bad_token"
    assert "participants" not in wrong.get_data(as_text=True)


def test_summary_endpoint_for_an_unknown_session_is_404(client, workshop):
    assert get_summary(client, workshop.token).status_code == 200
    response = client.get("/api/sessions/ZZZZZZ/summary", headers={"Authorization": f"Bearer {workshop.token}"})
    assert response.status_code == 404


def test_without_agreed_answers_the_consensus_phase_is_null_and_provisional():
    q = default_questionnaire()
    state = initial("paced", [question.id for question in q.questions])
    people = [{"id": i, "number": i, "nickname": None, "discipline": None, "removed_at": None} for i in (1, 2, 3)]
    answers = [{"participant_id": i, "question_id": question.id, "round": 1, "option_id": question.options[-1].id,
                "seq": i, "answered_at": NOW} for i in (1, 2, 3) for question in q.questions]
    session = {"code": "ABCDEF", "title": "t", "created_at": NOW, "updated_at": NOW, "language": "en",
               "questionnaire_id": q.id, "questionnaire_version": q.version, "disciplines": []}
    data = build_summary(session=session, questionnaire=q, state=state, participants=people, answers=answers,
                         notes={}, steps=[], generated_at=NOW)
    assert data["results"]["group_phase"] == "ik-doe"
    assert data["results"]["consensus_phase"] is None
    assert data["results"]["provisional"] is True
    assert data["disciplines"] == []
    assert data["notes"] == {"general": "", "questions": {question.id: "" for question in q.questions}}
    assert data["questions"][0]["short"] == "Terms in use"  # the session's language


def test_an_empty_session_still_has_a_complete_summary():
    q = default_questionnaire()
    session = {"code": "ABCDEF", "title": "t", "created_at": NOW, "updated_at": NOW, "language": "nl",
               "questionnaire_id": q.id, "questionnaire_version": q.version, "disciplines": ["A"]}
    data = build_summary(session=session, questionnaire=q, state=initial("self", [x.id for x in q.questions]),
                         participants=[], answers=[], notes={}, steps=[], generated_at=NOW)
    assert data["participants"] == [] and data["answers"] == []
    assert data["results"]["complete"] == 0 and data["results"]["group_phase"] is None
    assert exports.to_csv(data) == ",".join(exports.CSV_COLUMNS) + "\r\n"
    assert "Nog geen fase" in exports.to_html(data, q)
    assert load_workbook(io.BytesIO(exports.to_xlsx(data)))["Antwoorden"].max_row == 1


# Maps keyed by ids (questions, rounds, phases) and Stats objects are documented as a whole.
WHOLE = {"participants[].answers", "results.phase_counts", "results.first_round_phase_counts", "notes.questions",
         "disciplines[].questions", "questions[].rounds[].stats"}


def field_paths(value, path=""):
    """Every field path of a summary, e.g. session.code and questions[].rounds[].round."""
    if path in WHOLE or not isinstance(value, (dict, list)):
        yield path
    elif isinstance(value, dict):
        if path and not path.endswith("[]"):
            yield path
        for key, item in value.items():
            yield from field_paths(item, f"{path}.{key}" if path else key)
    else:
        yield path
        for item in value:
            if isinstance(item, dict):
                yield from field_paths(item, path + "[]")


def test_docs_describe_every_field_and_show_a_valid_example():
    docs = (ROOT / "docs" / "summary.md").read_text(encoding="utf-8")
    data = json.loads((DATA / "summary.json").read_text(encoding="utf-8"))
    missing = sorted({p for p in field_paths(data) if f"| `{p}` |" not in docs})
    assert missing == []
    stats_fields = data["questions"][0]["rounds"][0]["stats"]
    assert [f for f in stats_fields if f"| `{f}` |" not in docs] == []
    assert SUMMARY_SCHEMA in docs
    example = json.loads(docs.split("```json\n", 1)[1].split("```", 1)[0])
    assert example["schema"] == SUMMARY_SCHEMA and set(example) == set(data)
