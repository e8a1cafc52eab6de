"""GET /api/v1/vehicles/{vehicleId}/instances: counts, determinism, parity with GraphQL, 400 and 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of
from tests.support.rest_contract import assert_conforms

INSTANCES = """
query Instances($id: ID!, $count: Int) {
  vehicle(id: $id) {
    instanceCount
    instances(count: $count) {
      index vin vinFormat condition conditionRating mileage mileageVerified state registrationStatus
      titleStatus exteriorColor interiorColor engine transmission drivetrain options matchingNumbers
      previousOwners lastServiceDate assemblyPlant estimatedValue
    }
  }
}
"""


@pytest.fixture(scope="module")
async def rest(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in app_client(make_settings(es_index=sample_index, rate_limit_per_minute=0)):
        yield client


@pytest.fixture(scope="module")
async def records(rest: httpx.AsyncClient) -> list[dict[str, Any]]:
    """A classic (pre-1981 VIN formats) and a modern record, as the details endpoint lists them."""
    old = await rest.get("/api/v1/vehicles/details", params={"yearMax": 1970, "size": 1})
    new = await rest.get("/api/v1/vehicles/details", params={"yearMin": 2000, "size": 1})
    return [old.json()["results"][0], new.json()["results"][0]]


def _url(vehicle_id: str) -> str:
    return f"/api/v1/vehicles/{vehicle_id}/instances"


async def _instances(client: httpx.AsyncClient, vehicle_id: str, **params: Any) -> dict[str, Any]:
    response = await client.get(_url(vehicle_id), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["x-api-version"] == "v1"
    assert_conforms(response)
    body: dict[str, Any] = response.json()
    return body


async def test_default_is_eight_instances_of_the_record(
    rest: httpx.AsyncClient, records: list[dict[str, Any]]
) -> None:
    for record in records:
        body = await _instances(rest, record["vehicle_id"])
        assert {k: v for k, v in body.items() if k != "instances"} == {
            k: record[k]
            for k in ("vehicle_id", "manufacturer", "model", "year", "body_class", "instance_count")
        }
        assert [i["index"] for i in body["instances"]] == list(range(8))
        assert len({i["vin"] for i in body["instances"]}) == 8
    modern = (await _instances(rest, records[1]["vehicle_id"], count=3))["instances"]
    assert all(len(i["vin"]) == 17 and i["vin_format"] == "ISO 3779" for i in modern)


async def test_more_instances_only_append_and_calls_repeat(
    rest: httpx.AsyncClient, records: list[dict[str, Any]]
) -> None:
    vehicle_id = records[0]["vehicle_id"]
    twenty = (await _instances(rest, vehicle_id, count=20))["instances"]
    assert len(twenty) == 20
    for count in (1, 2, 7, 19):
        assert (await _instances(rest, vehicle_id, count=count))["instances"] == twenty[:count]
    assert (await _instances(rest, vehicle_id, count=20))["instances"] == twenty


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


async def test_the_same_instances_as_graphql(rest: httpx.AsyncClient, records: list[dict[str, Any]]) -> None:
    for record in records:
        graph = (await data_of(rest, INSTANCES, {"id": record["vehicle_id"], "count": 5}))["vehicle"]
        body = await _instances(rest, record["vehicle_id"], count=5)
        assert body["instance_count"] == graph["instanceCount"]
        assert body["instances"] == [{_snake(k): v for k, v in i.items()} for i in graph["instances"]]


@pytest.mark.parametrize("count", ["0", "21", "-1", "100", "eight", "2.5", ""])
async def test_count_outside_1_to_20_is_a_400_naming_count(
    rest: httpx.AsyncClient, records: list[dict[str, Any]], count: str
) -> None:
    response = await rest.get(_url(records[0]["vehicle_id"]), params={"count": count})
    if count == "":  # empty is absent: the default
        assert len(response.json()["instances"]) == 8
        return
    assert response.status_code == 400
    assert response.json()["parameter"] == "count"
    assert response.headers["x-api-version"] == "v1"
    assert_conforms(response)


@pytest.mark.parametrize(
    "vehicle_id", ["does-not-exist", "0" * 16, "x" * 300, "%20", "Ford%7CMustang%7C1965"]
)
async def test_an_unknown_vehicle_is_a_404(rest: httpx.AsyncClient, vehicle_id: str) -> None:
    response = await rest.get(_url(vehicle_id))
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "NOT_FOUND"
    assert response.headers["x-api-version"] == "v1"
    assert_conforms(response)
    # A bad count is reported first, whether or not the vehicle exists.
    assert (await rest.get(_url(vehicle_id), params={"count": 0})).status_code == 400
