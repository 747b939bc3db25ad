"""docs/comparison.md describes every field of a real comparison, and its example has the same fields."""
from __future__ import annotations

import json

from tests.exports.comparison_dataset import cohort
from workshop.core.comparison import COMPARISON_SCHEMA, build_comparison

from .test_export_summary import ROOT

WHOLE = {"columns[].phase_counts"}  # keyed by phase ids: documented as a whole


def field_paths(value, path=""):
    """Every field path of a document, e.g. columns[].steps[].what."""
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


def test_docs_describe_every_field_of_the_comparison_and_show_a_valid_example():
    docs = (ROOT / "docs" / "comparison.md").read_text(encoding="utf-8")
    for by in ("session", "organisation"):
        data = build_comparison(cohort(), by=by, generated_at="2025-03-20T10:00:00+00:00")
        missing = sorted({p for p in field_paths(data) if f"| `{p}` |" not in docs})
        assert missing == [], by
    example = json.loads(docs.split("```json\n", 1)[1].split("```", 1)[0])
    assert example["schema"] == COMPARISON_SCHEMA and set(example) == set(data)
    assert set(example["columns"][0]) == set(data["columns"][0])
    assert set(example["questions"][0]["cells"][0]) == set(data["questions"][0]["cells"][0])
