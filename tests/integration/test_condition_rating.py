"""`condition_rating` is one type everywhere: a number with one decimal in GraphQL (Float),
in REST's JSON, in the OpenAPI document and in the docs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rest-compatibility.md"
RATINGS = """
query Ratings($id: ID!) { vehicle(id: $id) { instances(count: 20) { conditionRating } } }
"""
TYPE = """
{ __type(name: "VinInstance") { fields { name type { kind ofType { name } } } } }
"""


@pytest.fixture(scope="module")
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


def _raw_numbers(text: str, key: str) -> list[Any]:
    """The values of `key` as the JSON text wrote them: Decimal for 4.0, int for 4."""
    found: list[Any] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found.extend(value for name, value in pairs if name == key)
        return dict(pairs)

    json.loads(text, parse_float=Decimal, object_pairs_hook=hook)
    return found


async def test_graphql_rest_and_openapi_agree_on_a_one_decimal_number(client: httpx.AsyncClient) -> None:
    fields = (await data_of(client, TYPE, {}))["__type"]["fields"]
    [field] = [f for f in fields if f["name"] == "conditionRating"]
    assert field["type"] == {"kind": "NON_NULL", "ofType": {"name": "Float"}}

    document = (await client.get("/api/v1/openapi.json")).json()
    schema = document["components"]["schemas"]["VinInstance"]["properties"]["condition_rating"]
    assert (schema["type"], schema["minimum"], schema["maximum"]) == ("number", 1, 5)

    vehicle_id = (await client.get("/api/v1/vehicles/details", params={"size": 1})).json()["results"][0][
        "vehicle_id"
    ]
    rest = await client.get(f"/api/v1/vehicles/{vehicle_id}/instances", params={"count": 20})
    rest_ratings = _raw_numbers(rest.text, "condition_rating")
    graphql = await client.post("/graphql", json={"query": RATINGS, "variables": {"id": vehicle_id}})
    graphql_ratings = _raw_numbers(graphql.text, "conditionRating")
    assert len(rest_ratings) == len(graphql_ratings) == 20
    # Decimal, never int: a whole rating is written 4.0 in both, so clients parse one type.
    assert all(isinstance(value, Decimal) for value in rest_ratings + graphql_ratings)
    assert rest_ratings == graphql_ratings
    assert all(value == value.quantize(Decimal("0.1")) and 1 <= value <= 5 for value in rest_ratings)


def test_the_docs_list_the_rest_fields_that_differ_from_the_old_service() -> None:
    text = DOCS.read_text()
    [row] = [line for line in text.splitlines() if line.startswith("| `instances[].condition_rating`")]
    assert "integer grade" in row
    assert "number 1.0-5.0 with one decimal" in row
