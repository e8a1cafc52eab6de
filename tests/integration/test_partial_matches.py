"""Partial names match inside words, in any case, through GraphQL and REST (the old backend's
wildcard filtering): 'stang' finds Mustangs, 'vette' Corvettes, 'vrolet' Chevrolets."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of

VEHICLES = """
query Partial($filter: VehicleFilter, $first: Int) {
  vehicles(filter: $filter, first: $first) { totalCount nodes { manufacturer model } }
}
"""
COMBINATIONS = """
query Picker($search: String) {
  manufacturerModelCombinations(search: $search, first: 200) { nodes { manufacturer models { model } } }
}
"""


@pytest.fixture(scope="module")
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


async def names_containing(es: AsyncElasticsearch, index: str, field: str, text: str) -> dict[str, int]:
    """Every distinct value of the field holding the text, with its record count, found in Python."""
    response = await es.search(
        index=index, size=0, aggs={"names": {"terms": {"field": f"{field}.keyword", "size": 5000}}}
    )
    buckets = response["aggregations"]["names"]["buckets"]
    return {b["key"]: b["doc_count"] for b in buckets if text.lower() in b["key"].lower()}


@pytest.mark.parametrize(
    ("field", "text"), [("model", "stang"), ("model", "VETTE"), ("manufacturer", "vrolet")]
)
async def test_graphql_filters_match_inside_words(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str, field: str, text: str
) -> None:
    expected = await names_containing(es, sample_index, field, text)
    assert expected  # the sample holds these names
    data = await data_of(client, VEHICLES, {"filter": {field: text}, "first": 100})
    assert data["vehicles"]["totalCount"] == sum(expected.values())
    assert {node[field] for node in data["vehicles"]["nodes"]} <= set(expected)


async def test_rest_details_match_inside_words(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    expected = await names_containing(es, sample_index, "model", "stang")
    response = await client.get("/api/v1/vehicles/details", params={"model": "STANG", "size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == sum(expected.values())
    assert {row["model"] for row in body["results"]} == set(expected)
    assert "Mustang" in expected


async def test_the_picker_search_matches_inside_words(client: httpx.AsyncClient) -> None:
    data = await data_of(client, COMBINATIONS, {"search": "vette"})
    models = {
        (g["manufacturer"], m["model"])
        for g in data["manufacturerModelCombinations"]["nodes"]
        for m in g["models"]
    }
    assert ("Chevrolet", "Corvette") in models
    rest = (await client.get("/api/v1/manufacturer-model-combinations", params={"search": "stang"})).json()
    ford = next(group for group in rest["data"] if group["manufacturer"] == "Ford")
    assert "Mustang" in {m["model"] for m in ford["models"]}


async def test_short_text_matches_word_prefixes_only(client: httpx.AsyncClient) -> None:
    # 'ng' is inside Mustang but below the minimum length: no leading wildcard runs.
    data = await data_of(client, VEHICLES, {"filter": {"model": "ng"}, "first": 5})
    assert all(
        node["model"].lower().startswith("ng") or " ng" in node["model"].lower()
        for node in data["vehicles"]["nodes"]
    )


async def test_wildcard_characters_are_literal(client: httpx.AsyncClient) -> None:
    data = await data_of(client, VEHICLES, {"filter": {"model": "*an*"}, "first": 5})
    assert data["vehicles"]["totalCount"] == 0
    response = await client.get("/api/v1/vehicles/details", params={"model": "?????"})
    assert response.status_code == 200
    assert response.json()["total"] == 0


async def _timed(client: httpx.AsyncClient, variables: dict[str, Any]) -> tuple[int, float]:
    started = time.perf_counter()
    data = await data_of(client, VEHICLES, variables)
    return data["vehicles"]["totalCount"], (time.perf_counter() - started) * 1000


async def test_stang_finds_the_mustangs_of_the_full_dataset(full_index: str, es: AsyncElasticsearch) -> None:
    expected = await names_containing(es, full_index, "model", "stang")
    assert set(expected) == {"Mustang", "Mustang Mach-E"}
    async for client in app_client(make_settings(es_index=full_index)):
        total, first_ms = await _timed(client, {"filter": {"model": "stang"}, "first": 20})
        assert total == sum(expected.values())
        _, again_ms = await _timed(client, {"filter": {"model": "stang"}, "first": 20})
        print(
            f"[infix] stang: {total} records, first {first_ms:.1f} ms, again {again_ms:.1f} ms (full dataset)"
        )
