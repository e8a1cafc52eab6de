"""GraphQL over HTTP: status codes and media types per the specification."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import app_client, make_settings

GR = "application/graphql-response+json"


@pytest.fixture
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


CASES: list[tuple[str, str, dict[str, Any], int, str, str | None]] = [
    # name, method, request kwargs, status, media type, error code
    ("json ok", "POST", {"json": {"query": "{ __typename }"}}, 200, "application/json", None),
    ("gr ok", "POST", {"json": {"query": "{ __typename }"}, "headers": {"accept": GR}}, 200, GR, None),
    (
        "gr parse error",
        "POST",
        {"json": {"query": "{"}, "headers": {"accept": GR}},
        400,
        GR,
        "GRAPHQL_PARSE_FAILED",
    ),
    (
        "gr validation error",
        "POST",
        {"json": {"query": "{ nope }"}, "headers": {"accept": GR}},
        400,
        GR,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "gr bad variable",
        "POST",
        {
            "json": {
                "query": "query($n: Int) { vehicles(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            "headers": {"accept": GR},
        },
        400,
        GR,
        "BAD_USER_INPUT",
    ),
    (
        "json validation error keeps 200",
        "POST",
        {"json": {"query": "{ nope }"}},
        200,
        "application/json",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "bad json",
        "POST",
        {"content": b"{bad", "headers": {"content-type": "application/json"}},
        400,
        "application/json",
        "BAD_REQUEST",
    ),
    ("non-string query", "POST", {"json": {"query": 1}}, 400, "application/json", "BAD_REQUEST"),
    (
        "non-object variables",
        "POST",
        {"json": {"query": "{ __typename }", "variables": "x"}},
        400,
        "application/json",
        "BAD_REQUEST",
    ),
    (
        "batch refused",
        "POST",
        {"json": [{"query": "{ __typename }"}]},
        400,
        "application/json",
        "BAD_REQUEST",
    ),
    (
        "invalid utf-8",
        "POST",
        {"content": b'{"query": "\xff"}', "headers": {"content-type": "application/json"}},
        400,
        "application/json",
        "BAD_REQUEST",
    ),
    ("GET query", "GET", {"params": {"query": "{ __typename }"}}, 200, "application/json", None),
    (
        "GET bad variables",
        "GET",
        {"params": {"query": "{ __typename }", "variables": "{bad"}},
        400,
        "application/json",
        "BAD_REQUEST",
    ),
    ("GET mutation", "GET", {"params": {"query": "mutation { x }"}}, 405, "application/json", "BAD_REQUEST"),
    (
        "body too large",
        "POST",
        {"json": {"query": "{ __typename }" + " " * 70_000}},
        413,
        "application/json",
        "BAD_REQUEST",
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "kwargs", "status", "media_type", "code"), CASES, ids=[c[0] for c in CASES]
)
async def test_status_and_media_type(
    client: httpx.AsyncClient,
    name: str,
    method: str,
    kwargs: dict[str, Any],
    status: int,
    media_type: str,
    code: str | None,
) -> None:
    response = await client.request(method, "/graphql", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    body = response.json()
    if code is None:
        assert body["data"] == {"__typename": "Query"}
    else:
        assert code in [e["extensions"]["code"] for e in body["errors"]]
    if status == 400 and media_type == GR:
        assert "data" not in body  # a request error: nothing was executed
    if status == 405:
        assert response.headers["allow"] == "POST"
