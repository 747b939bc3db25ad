"""JSON bodies of bounded depth: nesting past MAX_JSON_DEPTH is malformed JSON, whatever the route."""
from __future__ import annotations

import json

import pytest
from flask import Flask, request

from workshop.web.middleware import MAX_JSON_DEPTH, BoundedJSONProvider, nested_deeper


def nested(depth: int) -> str:
    """A JSON array nested depth levels deep."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("value,depth", [
    (1, 0), ([], 1), ({"a": [1, {"b": []}]}, 4), (json.loads(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH),
])
def test_nested_deeper_counts_lists_and_objects(value, depth):
    assert not nested_deeper(value, depth)
    if depth:
        assert nested_deeper(value, depth - 1)


@pytest.mark.parametrize("body,parsed", [
    (nested(MAX_JSON_DEPTH), True),
    (nested(MAX_JSON_DEPTH + 1), False),
    (nested(5000), False),       # past the decoder's recursion limit: a RecursionError before
    ("[" * 5000, False),
])
def test_a_request_body_nested_too_deep_is_malformed(body, parsed):
    app = Flask(__name__)
    app.json = BoundedJSONProvider(app)
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        assert (request.get_json(silent=True) is not None) is parsed
