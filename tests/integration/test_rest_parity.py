"""Parity: for the same inputs, the REST v1 shim and the GraphQL API return the same records and totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of

VEHICLES = """
query Vehicles($filter: VehicleFilter, $sort: [VehicleSort!], $first: Int, $after: String) {
  vehicles(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { vehicleId manufacturer model year bodyClass dataSource makeModelYear instanceCount }
  }
}
"""
GROUPS = """
query Groups($search: String) {
  manufacturerModelCombinations(search: $search, first: 500) {
    totalCount
    nodes { manufacturer count models { model count } }
  }
}
"""
# The REST default order, spelled as GraphQL sort keys.
DEFAULT_SORT = [
    {"field": "MANUFACTURER", "direction": "ASC"},
    {"field": "MODEL", "direction": "ASC"},
    {"field": "YEAR", "direction": "DESC"},
]
PAGE_SIZE = 10
PAGES = 3

CASES: list[tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, str]]]] = [
    ({}, None, DEFAULT_SORT),
    (
        {"models": "Ford:Mustang,Chevrolet:Camaro", "sortBy": "year", "sortOrder": "desc"},
        {
            "models": [
                {"manufacturer": "Ford", "model": "Mustang"},
                {"manufacturer": "Chevrolet", "model": "Camaro"},
            ]
        },
        [{"field": "YEAR", "direction": "DESC"}],
    ),
    (
        {"manufacturer": "merc", "yearMin": 1950, "yearMax": 1999},
        {"manufacturer": "merc", "yearMin": 1950, "yearMax": 1999},
        DEFAULT_SORT,
    ),
    (
        {"bodyClass": "Coupe", "sortBy": "instance_count", "sortOrder": "desc"},
        {"bodyClasses": ["Coupe"]},
        [{"field": "INSTANCE_COUNT", "direction": "DESC"}],
    ),
    (
        {"dataSource": "hagerty_valuation", "sortBy": "body_class"},
        {"dataSources": ["hagerty_valuation"]},
        [{"field": "BODY_CLASS", "direction": "ASC"}],
    ),
    ({"model": "mustang", "sortBy": "data_source"}, {"model": "mustang"}, [{"field": "DATA_SOURCE"}]),
    (
        {"sortBy": "manufacturer", "sortOrder": "desc", "yearMax": 1960},
        {"yearMax": 1960},
        [{"field": "MANUFACTURER", "direction": "DESC"}],
    ),
]


@pytest.fixture(scope="module")
async def api(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in app_client(make_settings(es_index=sample_index, rate_limit_per_minute=0)):
        yield client


def _snake(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "vehicle_id": node["vehicleId"],
        "manufacturer": node["manufacturer"],
        "model": node["model"],
        "year": node["year"],
        "body_class": node["bodyClass"],
        "data_source": node["dataSource"],
        "make_model_year": node["makeModelYear"],
        "instance_count": node["instanceCount"],
    }


async def _graphql_pages(
    client: httpx.AsyncClient, vehicle_filter: dict[str, Any] | None, sort: list[dict[str, str]]
) -> tuple[int, list[list[dict[str, Any]]]]:
    pages: list[list[dict[str, Any]]] = []
    after = None
    total = -1
    for _ in range(PAGES):
        variables = {"filter": vehicle_filter, "sort": sort, "first": PAGE_SIZE, "after": after}
        connection = (await data_of(client, VEHICLES, variables))["vehicles"]
        total = connection["totalCount"]
        pages.append([_snake(node) for node in connection["nodes"]])
        after = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
    return total, pages


@pytest.mark.parametrize(("rest_params", "vehicle_filter", "sort"), CASES)
async def test_vehicle_pages_are_the_same_records(
    api: httpx.AsyncClient,
    rest_params: dict[str, Any],
    vehicle_filter: dict[str, Any] | None,
    sort: list[dict[str, str]],
) -> None:
    total, graph_pages = await _graphql_pages(api, vehicle_filter, sort)
    assert total > 0
    for number, graph_page in enumerate(graph_pages, start=1):
        response = await api.get(
            "/api/v1/vehicles/details", params={**rest_params, "page": number, "size": PAGE_SIZE}
        )
        body = response.json()
        assert body["total"] == total
        assert body["results"] == graph_page, f"page {number} differs"


@pytest.mark.parametrize("search", [None, "ford", "merc", "chevrolte", "porsche 911"])
async def test_manufacturer_groups_are_the_same(api: httpx.AsyncClient, search: str | None) -> None:
    graph = (await data_of(api, GROUPS, {"search": search}))["manufacturerModelCombinations"]
    rest: list[dict[str, Any]] = []
    page = 1
    while True:
        params: dict[str, Any] = {"page": page, "size": 7}
        if search is not None:
            params["search"] = search
        body = (await api.get("/api/v1/manufacturer-model-combinations", params=params)).json()
        assert body["total"] == graph["totalCount"]
        rest.extend(body["data"])
        if page >= body["totalPages"]:
            break
        page += 1
    assert rest == graph["nodes"]
    assert len(rest) == graph["totalCount"] > 0
