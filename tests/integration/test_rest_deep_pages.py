"""Page numbers on the full dataset: exact totals past 10,000, the last servable page, the refusal after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of
from tests.support.rest_contract import assert_conforms

DETAILS = "/api/v1/vehicles/details"
IDS_AFTER = """
query Ids($sort: [VehicleSort!], $after: String) {
  vehicles(sort: $sort, first: 100, after: $after) {
    totalCount
    pageInfo { endCursor }
    nodes { vehicleId }
  }
}
"""
DEFAULT_SORT = [
    {"field": "MANUFACTURER", "direction": "ASC"},
    {"field": "MODEL", "direction": "ASC"},
    {"field": "YEAR", "direction": "DESC"},
]


@pytest.fixture(scope="module")
async def rest(full_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in app_client(make_settings(es_index=full_index, rate_limit_per_minute=0)):
        yield client


async def test_the_last_servable_page_is_the_one_cursors_reach(rest: httpx.AsyncClient) -> None:
    response = await rest.get(DETAILS, params={"page": 100, "size": 100})
    assert response.status_code == 200, response.text
    assert_conforms(response)
    body = response.json()
    assert body["total"] >= 100_000  # exact, not Elasticsearch's default "10,000+"
    assert body["totalPages"] == -(-body["total"] // 100)
    # Walk GraphQL cursors to the same place: records 9,901..10,000 in the same order.
    after: Any = None
    for _ in range(99):
        connection = (await data_of(rest, IDS_AFTER, {"sort": DEFAULT_SORT, "after": after}))["vehicles"]
        after = connection["pageInfo"]["endCursor"]
    connection = (await data_of(rest, IDS_AFTER, {"sort": DEFAULT_SORT, "after": after}))["vehicles"]
    assert connection["totalCount"] == body["total"]
    assert [r["vehicle_id"] for r in body["results"]] == [n["vehicleId"] for n in connection["nodes"]]


@pytest.mark.parametrize(("page", "size"), [(101, 100), (501, 20), (10_000, 2), (10_000, 1)])
async def test_past_the_window_is_a_400_with_advice(rest: httpx.AsyncClient, page: int, size: int) -> None:
    response = await rest.get(DETAILS, params={"page": page, "size": size})
    if page * size <= 10_000:
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        return
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "page"
    assert "GraphQL" in body["details"]
    assert_conforms(response)
