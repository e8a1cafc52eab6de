"""Abusive documents are rejected with QUERY_TOO_COMPLEX before any Elasticsearch call."""

from __future__ import annotations

import time

import pytest

from tests.conftest import make_settings
from tests.support.graphql import error_codes, graphql, proxied_app

DEEP = (
    "{ vehicles { nodes { group { vehicles { nodes { group { vehicles { nodes { group { vehicles { nodes {"
    " group { manufacturer } } } } } } } } } } } } }"
)
MANY_ALIASES = "{ " + " ".join(f"a{i}: facets {{ totalCount }}" for i in range(31)) + " }"
ALIASES_IN_FRAGMENTS = (
    "query { ...A ...B } "
    "fragment A on Query { " + " ".join(f"a{i}: facets {{ totalCount }}" for i in range(16)) + " } "
    "fragment B on Query { " + " ".join(f"b{i}: facets {{ totalCount }}" for i in range(16)) + " }"
)
COSTLY = "{ vehicles(first: 100) { nodes { otherYears(first: 100) { otherYears(first: 100) { id } } } } }"
COSTLY_BY_VARIABLE = (
    "query($n: Int) { vehicles(first: $n) { nodes { "
    "otherYears(first: $n) { otherYears(first: $n) { id } } } } }"
)
TOO_MANY_TOKENS = "{ " + " ".join("__typename" for _ in range(2500)) + " }"
# Each fragment spreads the next one three times: 3^12 paths if expanded naively.
EXPONENTIAL = (
    "query { ...F0 } "
    + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} ...F{i + 1} }}" for i in range(12))
    + " fragment F12 on Query { vehicles(first: 5) { totalCount } }"
)
CIRCULAR = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (DEEP, "QUERY_TOO_COMPLEX"),
        (MANY_ALIASES, "QUERY_TOO_COMPLEX"),
        (ALIASES_IN_FRAGMENTS, "QUERY_TOO_COMPLEX"),
        (COSTLY, "QUERY_TOO_COMPLEX"),
        (COSTLY_BY_VARIABLE, "QUERY_TOO_COMPLEX"),
        (TOO_MANY_TOKENS, "QUERY_TOO_COMPLEX"),
        (EXPONENTIAL, "QUERY_TOO_COMPLEX"),
        (CIRCULAR, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_rejected_before_any_elasticsearch_call(sample_index: str, document: str, code: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        app.reset_count()
        started = time.monotonic()
        body = await graphql(app.client, document)
        assert time.monotonic() - started < 1.0
        assert body.get("data") is None
        assert code in error_codes(body), body
        assert app.round_trips() == 0


async def test_an_ordinary_nested_query_is_allowed(sample_index: str) -> None:
    document = """{ manufacturerModelCombinations(first: 50) { nodes { vehicles(first: 3) {
        nodes { otherYears(first: 5) { id } group { count } } } } } }"""
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        body = await graphql(app.client, document)
        assert "errors" not in body
