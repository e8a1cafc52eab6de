"""The REST v1 shim against the real sample data: what each endpoint answers and how it pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from tests.conftest import app_client, make_settings
from tests.support.rest_contract import assert_conforms

COMBINATIONS = "/api/v1/manufacturer-model-combinations"
DETAILS = "/api/v1/vehicles/details"


@pytest.fixture(scope="module")
async def rest(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    # The limiter is off: these tests send far more than a client's minute allows.
    async for client in app_client(make_settings(es_index=sample_index, rate_limit_per_minute=0)):
        yield client


async def get(client: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["x-api-version"] == "v1"
    assert_conforms(response)
    body: dict[str, Any] = response.json()
    return body


async def term_count(es: AsyncElasticsearch, index: str, **terms: Any) -> int:
    """A count built here, not by the project's query builder, to check the shim against."""
    query = {"bool": {"filter": [{"term": {field: value}} for field, value in terms.items()]}}
    return int((await es.count(index=index, query=query))["count"])


async def test_combinations_cover_every_record_once(
    rest: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    body = await get(rest, COMBINATIONS, size=100)
    assert body["page"] == 1
    assert body["size"] == 100
    assert body["total"] == len(body["data"]) > 10
    assert body["totalPages"] == 1
    assert sum(group["count"] for group in body["data"]) == 1000
    names = [group["manufacturer"] for group in body["data"]]
    assert names == sorted(names)
    ford = next(group for group in body["data"] if group["manufacturer"] == "Ford")
    assert ford["count"] == sum(m["count"] for m in ford["models"])
    assert ford["count"] == await term_count(es, sample_index, **{"manufacturer.keyword": "Ford"})
    mustang = next(m for m in ford["models"] if m["model"] == "Mustang")
    assert mustang["count"] == await term_count(
        es, sample_index, **{"manufacturer.keyword": "Ford", "model.keyword": "Mustang"}
    )


async def test_combination_pages_partition_the_list(rest: httpx.AsyncClient) -> None:
    everything = (await get(rest, COMBINATIONS, size=100))["data"]
    only_page = await get(rest, COMBINATIONS, page=1)
    assert only_page["size"] == 50  # asking for a page without a size gets the old backend's default
    pages = []
    first = await get(rest, COMBINATIONS, size=7)
    assert first["totalPages"] == -(-len(everything) // 7)
    for page in range(1, first["totalPages"] + 1):
        pages.extend((await get(rest, COMBINATIONS, size=7, page=page))["data"])
    assert pages == everything
    past = await get(rest, COMBINATIONS, size=7, page=first["totalPages"] + 1)
    assert past["data"] == []
    assert past["total"] == len(everything)


async def test_combinations_without_page_or_size_answer_every_manufacturer(rest: httpx.AsyncClient) -> None:
    everything = await get(rest, COMBINATIONS)
    paged = await get(rest, COMBINATIONS, size=100)
    assert everything["data"] == paged["data"]
    total = everything["total"]
    assert (everything["page"], everything["size"], everything["totalPages"]) == (1, total, 1)
    assert len(everything["data"]) == total
    searched = await get(rest, COMBINATIONS, search="chevrolet", page="", size="")
    assert (searched["size"], searched["totalPages"]) == (1, 1)


async def test_combinations_search_narrows_to_matching_manufacturers(rest: httpx.AsyncClient) -> None:
    body = await get(rest, COMBINATIONS, search="chevrolet")
    assert [group["manufacturer"] for group in body["data"]] == ["Chevrolet"]
    typo = await get(rest, COMBINATIONS, search="chevrolte")
    assert "Chevrolet" in [group["manufacturer"] for group in typo["data"]]
    none = await get(rest, COMBINATIONS, search="qqqqqqqqzzzz")
    assert (none["total"], none["totalPages"], none["data"]) == (0, 0, [])


async def test_details_default_page_and_order(rest: httpx.AsyncClient) -> None:
    body = await get(rest, DETAILS)
    assert (body["total"], body["page"], body["size"], body["totalPages"]) == (1000, 1, 20, 50)
    assert body["query"] == {"modelCombos": [], "filters": {}, "sortBy": None, "sortOrder": "asc"}
    keys = [(r["manufacturer"], r["model"], -r["year"]) for r in body["results"]]
    assert len(keys) == 20
    assert keys == sorted(keys)  # manufacturer, model ascending; newest year first
    for record in body["results"]:
        assert record["make_model_year"] == f"{record['manufacturer']}|{record['model']}|{record['year']}"


async def test_details_models_filter_matches_a_direct_count(
    rest: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    body = await get(rest, DETAILS, models="Ford:Mustang, chevrolet:camaro", size=100)
    expected = await term_count(
        es, sample_index, **{"manufacturer.keyword": "Ford", "model.keyword": "Mustang"}
    ) + await term_count(es, sample_index, **{"manufacturer.keyword": "Chevrolet", "model.keyword": "Camaro"})
    assert body["total"] == len(body["results"]) == expected > 0
    assert {(r["manufacturer"], r["model"]) for r in body["results"]} == {
        ("Ford", "Mustang"),
        ("Chevrolet", "Camaro"),
    }
    assert body["query"]["modelCombos"] == [
        {"manufacturer": "chevrolet", "model": "camaro"},
        {"manufacturer": "Ford", "model": "Mustang"},
    ]


async def test_details_filters_each_hold_on_every_result(
    rest: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    sample = (await get(rest, DETAILS, manufacturer="Ford", size=1))["results"][0]
    body = await get(
        rest,
        DETAILS,
        manufacturer="ford",
        yearMin=sample["year"] - 10,
        yearMax=sample["year"] + 10,
        bodyClass=sample["body_class"].upper(),
        dataSource=sample["data_source"],
        size=100,
    )
    assert body["total"] >= 1
    for record in body["results"]:
        assert record["manufacturer"] == "Ford"
        assert sample["year"] - 10 <= record["year"] <= sample["year"] + 10
        assert record["body_class"] == sample["body_class"]
        assert record["data_source"] == sample["data_source"]
    assert body["query"]["filters"] == {
        "manufacturer": "ford",
        "yearMin": sample["year"] - 10,
        "yearMax": sample["year"] + 10,
        "bodyClass": sample["body_class"].upper(),
        "dataSource": sample["data_source"],
    }
    in_range = await es.count(
        index=sample_index,
        query={
            "bool": {
                "filter": [
                    {"term": {"manufacturer.keyword": "Ford"}},
                    {"range": {"year": {"gte": sample["year"] - 10, "lte": sample["year"] + 10}}},
                    {"term": {"body_class.keyword": sample["body_class"]}},
                    {"term": {"data_source": sample["data_source"]}},
                ]
            }
        },
    )
    assert body["total"] == in_range["count"]


@pytest.mark.parametrize(
    ("sort_by", "key"),
    [
        ("manufacturer", "manufacturer"),
        ("model", "model"),
        ("year", "year"),
        ("body_class", "body_class"),
        ("instance_count", "instance_count"),
        ("data_source", "data_source"),
    ],
)
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_details_sort_by_each_field(
    rest: httpx.AsyncClient, sort_by: str, key: str, order: str
) -> None:
    body = await get(rest, DETAILS, sortBy=sort_by, sortOrder=order, size=100, page=3)
    values = [r[key] for r in body["results"]]
    assert len(values) == 100
    assert values == sorted(values, reverse=order == "desc")
    assert (body["query"]["sortBy"], body["query"]["sortOrder"]) == (sort_by, order)


async def test_details_pages_partition_the_matches(rest: httpx.AsyncClient) -> None:
    whole = await get(rest, DETAILS, manufacturer="Chevrolet", sortBy="year", size=100)
    assert 20 < whole["total"] <= 100
    seen: list[str] = []
    for page in range(1, -(-whole["total"] // 9) + 1):
        body = await get(rest, DETAILS, manufacturer="Chevrolet", sortBy="year", size=9, page=page)
        assert body["totalPages"] == -(-whole["total"] // 9)
        seen.extend(r["vehicle_id"] for r in body["results"])
    assert seen == [r["vehicle_id"] for r in whole["results"]]
    past = await get(rest, DETAILS, manufacturer="Chevrolet", size=9, page=500)
    assert past["results"] == []
    assert past["total"] == whole["total"]


async def test_the_document_and_its_page_are_served(rest: httpx.AsyncClient) -> None:
    document = await get(rest, "/api/v1/openapi.json")
    assert set(document["paths"]) >= {COMBINATIONS, DETAILS}
    page = await rest.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers["x-api-version"] == "v1"
    assert page.headers["content-type"].startswith("text/html")
    assert "vehicles/details" in page.text
    assert_conforms(page)
