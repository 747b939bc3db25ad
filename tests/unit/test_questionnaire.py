"""Tests for workshop.core.questionnaire: the bundled Digitaal DNA quiz, scoring and validation."""

from __future__ import annotations

import copy
import itertools
import json
import re
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest

from workshop.core import questionnaire
from workshop.core.questionnaire import (
    DEFAULT_PATH,
    LANGUAGES,
    Questionnaire,
    QuestionnaireError,
    Text,
    TextList,
    load,
)

EXPECTED_POINTS = {
    "begrippen": [0, 1, 2, 3],
    "uitspraak": [0, 2],
    "projecten": [0, 1, 2, 3],
    "kennis": [0, 1, 2],
}
# Bands read by their lower bounds (see shared/seeds/README.md).
EXPECTED_BANDS = {
    "ik-zie": range(0, 2),
    "ik-wil": range(2, 4),
    "ik-kan": range(4, 7),
    "ik-doe": range(7, 11),
}


def expected_phase(total: int) -> str:
    """Return the phase id the source bands assign to ``total``."""
    for phase_id, band in EXPECTED_BANDS.items():
        if total in band:
            return phase_id
    raise AssertionError(f"total {total} outside every band")


@pytest.fixture(scope="module")
def qn() -> Questionnaire:
    """The real, bundled questionnaire."""
    return load(DEFAULT_PATH)


def all_answer_sets(qn: Questionnaire) -> list[dict[str, str]]:
    """Every complete combination of answers (question id -> option id)."""
    return [
        {q.id: o.id for q, o in zip(qn.questions, combo)}
        for combo in itertools.product(*(q.options for q in qn.questions))
    ]


# ---------------------------------------------------------------------------
# The real file
# ---------------------------------------------------------------------------


def test_real_file_structure(qn: Questionnaire) -> None:
    assert qn.id == "digitaal-dna"
    assert qn.version == "1"
    assert qn.license == "CC BY 4.0"
    assert qn.source == "digitaal_dna.toml"
    assert qn.title.nl == "Hoe digitaal volwassen is jouw organisatie?"
    assert [q.id for q in qn.questions] == list(EXPECTED_POINTS)
    assert {q.id: [o.points for o in q.options] for q in qn.questions} == EXPECTED_POINTS
    assert [q.index for q in qn.questions] == [0, 1, 2, 3]
    for q in qn.questions:
        assert [o.rank for o in q.options] == list(range(len(q.options)))
    assert [q.max_points for q in qn.questions] == [3, 2, 3, 2]
    assert qn.max_total == 10


def test_real_file_phases(qn: Questionnaire) -> None:
    assert [p.id for p in qn.phases] == ["ik-zie", "ik-wil", "ik-kan", "ik-doe"]
    assert [p.number for p in qn.phases] == [1, 2, 3, 4]
    assert [p.min_total for p in qn.phases] == [0, 2, 4, 7]
    assert [p.name.nl for p in qn.phases] == ["Ik zie", "Ik wil", "Ik kan", "Ik doe"]
    assert [p.name.en for p in qn.phases] == ["I see", "I want", "I can", "I do"]
    assert [p.theme.nl for p in qn.phases] == [
        "Bewustwording", "Motivatie", "Voorbereiding", "Aanpakken",
    ]
    assert qn.phases[0].band.nl.startswith("Digitale innovatie is voor jouw organisatie nog onbekend terrein.")
    assert [qn.phase_bounds(p) for p in qn.phases] == [(0, 1), (2, 3), (4, 6), (7, 10)]


def test_default_is_cached_and_equal_to_load(qn: Questionnaire) -> None:
    assert questionnaire.default() is questionnaire.default()
    assert questionnaire.default() == qn


def test_every_total_0_to_10_is_reachable(qn: Questionnaire) -> None:
    answer_sets = all_answer_sets(qn)
    assert len(answer_sets) == 4 * 2 * 4 * 3
    assert {qn.total(a) for a in answer_sets} == set(range(11))


@pytest.mark.parametrize("total", range(11))
def test_every_reachable_total_maps_to_its_band(qn: Questionnaire, total: int) -> None:
    combos = [a for a in all_answer_sets(qn) if qn.total(a) == total]
    assert combos, f"total {total} is not reachable"
    want = expected_phase(total)
    for answers in combos:
        assert qn.phase_for(qn.total(answers)).id == want, answers
    assert qn.phase_for(total).id == want


@pytest.mark.parametrize(
    ("total", "phase_id"),
    [(-1, "ik-zie"), (0.5, "ik-zie"), (1.99, "ik-zie"), (2.0, "ik-wil"), (3.5, "ik-wil"),
     (6.9, "ik-kan"), (7, "ik-doe"), (10, "ik-doe"), (99, "ik-doe"), (float("nan"), "ik-zie")],
)
def test_phase_for_fractional_and_out_of_range(qn: Questionnaire, total: float, phase_id: str) -> None:
    assert qn.phase_for(total).id == phase_id


def test_total_partial_unknown_and_empty(qn: Questionnaire) -> None:
    assert qn.total({}) == 0
    assert qn.total({"uitspraak": "kan-helpen"}) == 2
    assert qn.total({"begrippen": "dagelijks", "kennis": None}) == 3
    assert qn.total({
        "begrippen": "dagelijks", "uitspraak": "kan-helpen",
        "projecten": "30-100-procent", "kennis": "meeste-collegas",
    }) == 10
    with pytest.raises(KeyError):
        qn.total({"bestaat-niet": "nooit"})
    with pytest.raises(KeyError):
        qn.total({"begrippen": "bestaat-niet"})


def test_lookup_helpers(qn: Questionnaire) -> None:
    q = qn.question("uitspraak")
    assert q is not None and q.index == 1
    assert qn.question("nope") is None
    assert q.option("kan-helpen") is not None and q.option("kan-helpen").points == 2
    assert q.option("nope") is None
    assert qn.phase("ik-kan") is qn.phases[2]


def test_text_fallback_to_dutch() -> None:
    t = Text(nl="hallo", en="hello")
    assert t.get("en") == "hello"
    assert t.get("nl") == "hallo"
    assert t.get("de") == "hallo"
    tl = TextList(nl=("a",), en=("b",))
    assert tl.get("en") == ("b",)
    assert tl.get("fr") == ("a",)


def test_phase_texts_present_in_both_languages(qn: Questionnaire) -> None:
    for p in qn.phases:
        for name in ("name", "theme", "band", "description", "closing"):
            text: Text = getattr(p, name)
            for lang in LANGUAGES:
                assert text.get(lang).strip(), (p.id, name, lang)
            assert text.nl != text.en or name == "name", (p.id, name)
        for name in ("recognise", "tips"):
            items: TextList = getattr(p, name)
            assert len(items.nl) == len(items.en) >= 3, (p.id, name)
            assert all(s.strip() for s in items.nl + items.en)
        # closing sentence is stored without the source's surrounding quotes
        assert not p.closing.nl.startswith(("“", '"'))
    for text in (qn.title, qn.intro, qn.attribution):
        assert text.nl and text.en and text.nl != text.en
    assert "Cultuur+Ondernemen" in qn.attribution.nl and "CC BY 4.0" in qn.attribution.en


def test_texts_have_no_leftovers_from_pdf(qn: Questionnaire) -> None:
    """No URLs, no hyphen-space splits, no doubled spaces in any text."""
    texts: list[str] = []
    for lang in LANGUAGES:
        c = qn.to_client(lang)
        texts += [c["title"], c["intro"], c["attribution"]]
        for q in c["questions"]:
            texts += [q["short"], q["text"]] + [o["label"] for o in q["options"]]
        for p in c["phases"]:
            texts += [p["band"], p["description"], p["closing"], *p["recognise"], *p["tips"]]
    for s in texts:
        assert "http" not in s and "www." not in s, s
        assert "  " not in s and s == s.strip(), s
        assert not re.search(r"[a-z]- [a-z]", s) or "inspiratie- of" in s, s


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_to_client_shape(qn: Questionnaire, lang: str) -> None:
    c = qn.to_client(lang)
    assert json.loads(json.dumps(c)) == c  # JSON-ready
    assert set(c) >= {
        "id", "version", "lang", "title", "intro", "attribution", "license",
        "max_total", "questions", "phases",
    }
    assert c["lang"] == lang
    assert c["max_total"] == 10
    assert c["title"] == qn.title.get(lang)
    assert [q["id"] for q in c["questions"]] == list(EXPECTED_POINTS)
    for q, real in zip(c["questions"], qn.questions):
        assert q["text"] == real.text.get(lang) and q["short"] == real.short.get(lang)
        assert [set(o) for o in q["options"]] == [{"id", "rank", "points", "label"}] * len(real.options)
        assert [o["points"] for o in q["options"]] == EXPECTED_POINTS[q["id"]]
        assert [o["rank"] for o in q["options"]] == list(range(len(real.options)))
        assert all(isinstance(o["label"], str) and o["label"] for o in q["options"])
    assert [p["id"] for p in c["phases"]] == ["ik-zie", "ik-wil", "ik-kan", "ik-doe"]
    for p, real in zip(c["phases"], qn.phases):
        for key in ("name", "theme", "band", "description", "closing"):
            assert p[key] == getattr(real, key).get(lang)
        assert p["recognise"] == list(real.recognise.get(lang))
        assert p["tips"] == list(real.tips.get(lang))
        assert p["number"] == real.number and p["min_total"] == real.min_total
    assert [p["max_total"] for p in c["phases"]] == [1, 3, 6, 10]


def test_to_client_unknown_language_falls_back_to_dutch(qn: Questionnaire) -> None:
    assert qn.to_client("xx") == qn.to_client("nl")


def test_objects_are_frozen(qn: Questionnaire) -> None:
    with pytest.raises(AttributeError):
        qn.id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        qn.questions[0].options[0].points = 5  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Validation: broken files must name the file and the exact field
# ---------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    """Encode a value as (inline) TOML; enough for the questionnaire's shapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON escapes are valid TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def dump_toml(data: dict[str, Any]) -> str:
    """Write a dict as TOML with one top-level key per line."""
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in data.items())


def _step(container: Any, part: str) -> tuple[Any, Any]:
    """Split one path segment like ``options[1]`` into (container, key) steps."""
    m = re.fullmatch(r"([a-z_]+)((?:\[\d+\])*)", part)
    assert m, part
    keys: list[Any] = [m.group(1)] + [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    for key in keys[:-1]:
        container = container[key]
    return container, keys[-1]


def _locate(data: Any, path: str) -> tuple[Any, Any]:
    """Return (parent, key) for a dotted field path such as ``questions[2].options[1].points``."""
    parts = path.split(".")
    container = data
    for part in parts[:-1]:
        parent, key = _step(container, part)
        container = parent[key]
    return _step(container, parts[-1])


VALID: dict[str, Any] = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def write_broken(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    """Dump a mutated copy of the real questionnaire to ``tmp_path/broken.toml``."""
    data = copy.deepcopy(VALID)
    mutate(data)
    path = tmp_path / "broken.toml"
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


def setting(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Mutation: set the field at ``path``."""
    def mutate(data: dict[str, Any]) -> None:
        parent, key = _locate(data, path)
        parent[key] = value
    return mutate


def deleting(path: str) -> Callable[[dict[str, Any]], None]:
    """Mutation: remove the field (or list item) at ``path``."""
    def mutate(data: dict[str, Any]) -> None:
        parent, key = _locate(data, path)
        del parent[key]
    return mutate


def test_roundtrip_of_the_dumper_loads_cleanly(tmp_path: Path, qn: Questionnaire) -> None:
    path = write_broken(tmp_path, lambda d: None)
    loaded = load(path)
    assert loaded.source == "broken.toml"
    assert loaded.questions == qn.questions and loaded.phases == qn.phases


def _duplicate_option_id(d: dict[str, Any]) -> None:
    d["questions"][0]["options"][2]["id"] = d["questions"][0]["options"][0]["id"]


def _duplicate_question_id(d: dict[str, Any]) -> None:
    d["questions"][3]["id"] = "uitspraak"


def _duplicate_phase_id(d: dict[str, Any]) -> None:
    d["phases"][2]["id"] = "ik-zie"


def _swap_phase_order(d: dict[str, Any]) -> None:
    d["phases"][1]["min_total"], d["phases"][2]["min_total"] = 4, 2


def _one_option(d: dict[str, Any]) -> None:
    del d["questions"][1]["options"][1]


def _tips_length_mismatch(d: dict[str, Any]) -> None:
    d["phases"][3]["tips"]["en"].pop()


BROKEN_CASES = [
    # (description, mutation, expected field path, expected message fragment)
    ("negative points", setting("questions[2].options[1].points", -1),
     "questions[2].options[1].points", "must be a whole number >= 0"),
    ("fractional points", setting("questions[2].options[1].points", 1.5),
     "questions[2].options[1].points", "must be a whole number >= 0"),
    ("points as string", setting("questions[0].options[3].points", "3"),
     "questions[0].options[3].points", "must be a whole number >= 0"),
    ("points as boolean", setting("questions[0].options[0].points", True),
     "questions[0].options[0].points", "must be a whole number >= 0"),
    ("missing points", deleting("questions[3].options[2].points"),
     "questions[3].options[2].points", "missing"),
    ("missing english", deleting("questions[1].text.en"),
     "questions[1].text.en", "missing"),
    ("empty dutch label", setting("questions[0].options[1].label.nl", "   "),
     "questions[0].options[1].label.nl", "must not be empty"),
    ("label not a table", setting("questions[0].options[1].label", "Zelden"),
     "questions[0].options[1].label", "must be a table"),
    ("text not a string", setting("phases[1].band.nl", 42),
     "phases[1].band.nl", "must be a string"),
    ("unknown language", setting("title.de", "Wie digital reif ist Ihre Organisation?"),
     "title.de", "unknown field"),
    ("typo in field name", setting("phases[0].tipz", {"nl": ["a"], "en": ["b"]}),
     "phases[0].tipz", "unknown field"),
    ("tips lists differ in length", _tips_length_mismatch,
     "phases[3].tips", "nl has 5 items but en has 4"),
    ("empty recognise list", setting("phases[2].recognise.nl", []),
     "phases[2].recognise.nl", "must not be empty"),
    ("non-string tip", setting("phases[0].tips.en", ["ok", 3, "ok", "ok"]),
     "phases[0].tips.en[1]", "must be a string"),
    ("duplicate option id", _duplicate_option_id,
     "questions[0].options[2].id", "duplicate id 'nooit'"),
    ("duplicate question id", _duplicate_question_id,
     "questions[3].id", "duplicate id 'uitspraak'"),
    ("duplicate phase id", _duplicate_phase_id,
     "phases[2].id", "duplicate id 'ik-zie'"),
    ("id with capitals", setting("questions[1].id", "Uitspraak"),
     "questions[1].id", "not a valid id"),
    ("id with space", setting("questions[2].options[0].id", "0 procent"),
     "questions[2].options[0].id", "not a valid id"),
    ("id too long", setting("phases[0].id", "a" * 33),
     "phases[0].id", "not a valid id"),
    ("id starting with dash", setting("id", "-digitaal"),
     "id", "not a valid id"),
    ("only one option", _one_option,
     "questions[1].options", "at least 2 options"),
    ("no questions", setting("questions", []),
     "questions", "must not be empty"),
    ("first phase not at zero", setting("phases[0].min_total", 1),
     "phases[0].min_total", "must start at 0"),
    ("phases not ascending", _swap_phase_order,
     "phases[2].min_total", "greater than the previous phase's min_total (4)"),
    ("phases equal min_total", setting("phases[3].min_total", 4),
     "phases[3].min_total", "greater than the previous phase's min_total (4)"),
    ("phase above max_total", setting("phases[3].min_total", 11),
     "phases[3].min_total", "exceeds the highest reachable total (10)"),
    ("phase numbers out of order", setting("phases[1].number", 3),
     "phases[1].number", "must be 2"),
    ("phase number zero", setting("phases[0].number", 0),
     "phases[0].number", "must be a whole number >= 1"),
    ("unknown schema", setting("schema", 2),
     "schema", "unsupported schema 2"),
    ("missing schema", deleting("schema"),
     "schema", "missing"),
    ("version not a string", setting("version", 1),
     "version", "must be a string"),
    ("missing license", deleting("license"),
     "license", "missing"),
    ("missing intro", deleting("intro"),
     "intro", "missing"),
    ("questions not an array", setting("questions", {"id": "x"}),
     "questions", "must be an array of tables"),
    ("option not a table", setting("questions[0].options[0]", "nooit"),
     "questions[0].options[0]", "must be a table"),
]


@pytest.mark.parametrize(
    ("mutate", "field", "fragment"),
    [pytest.param(m, f, frag, id=desc) for desc, m, f, frag in BROKEN_CASES],
)
def test_broken_file_names_file_and_field(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], field: str, fragment: str
) -> None:
    path = write_broken(tmp_path, mutate)
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"broken.toml: {field}: "), message
    assert fragment in message, message


def test_error_is_a_value_error() -> None:
    assert issubclass(QuestionnaireError, ValueError)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith('version = "1"'))
    lines[target] = 'version = "1'  # unterminated string
    path = tmp_path / "syntax.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith("syntax.toml: TOML syntax error: "), message
    assert f"line {target + 1}" in message, message


def test_text_mutation_of_real_file(tmp_path: Path) -> None:
    """Editing the real file by hand (as a maintainer would) is caught with the right path."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    broken = text.replace('id = "kan-helpen"\n  points = 2', 'id = "kan-helpen"\n  points = -2', 1)
    assert broken != text
    path = tmp_path / "digitaal_dna.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    assert str(info.value) == (
        "digitaal_dna.toml: questions[1].options[1].points: must be a whole number >= 0"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as info:
        load(tmp_path / "absent.toml")
    assert str(info.value).startswith("absent.toml: cannot read file")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('schema = 1\nid = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(QuestionnaireError) as info:
        load(path)
    assert str(info.value).startswith("latin1.toml: not valid UTF-8")
