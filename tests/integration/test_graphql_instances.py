"""VIN instances through GraphQL: computed lazily, deterministic, bounded; decodeVin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin import VinInstance, generate_instances
from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of, error_codes, graphql

WITH_INSTANCES = """
query($count: Int) {
  vehicles(first: 3, sort: [{field: YEAR}]) {
    nodes { id year instances(count: $count) { vin condition mileage state estimatedValue vehicle { id } } }
  }
}
"""


@pytest.fixture
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


async def test_instances_are_deterministic_and_prefixes(client: httpx.AsyncClient) -> None:
    five = (await data_of(client, WITH_INSTANCES, {"count": 5}))["vehicles"]["nodes"]
    six = (await data_of(client, WITH_INSTANCES, {"count": 6}))["vehicles"]["nodes"]
    for a, b in zip(five, six, strict=True):
        assert len(a["instances"]) == 5
        assert len(b["instances"]) == 6
        assert b["instances"][:5] == a["instances"]
        assert all(i["vehicle"]["id"] == a["id"] for i in a["instances"])
    default = (await data_of(client, WITH_INSTANCES, {}))["vehicles"]["nodes"]
    assert all(len(v["instances"]) == 8 for v in default)


@pytest.mark.parametrize("count", [0, 21, -1])
async def test_count_outside_one_to_twenty_is_bad_input(client: httpx.AsyncClient, count: int) -> None:
    body = await graphql(client, WITH_INSTANCES, {"count": count})
    assert "BAD_USER_INPUT" in error_codes(body)


async def test_instances_are_not_computed_unless_selected(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(record: VehicleRecord, *, count: int) -> list[VinInstance]:
        calls.append(record.vehicle_id)
        return generate_instances(record, count=count)

    monkeypatch.setattr("resolvers.instances.generate_instances", counting)
    await data_of(client, "{ vehicles(first: 50) { nodes { id year group { count } otherYears { id } } } }")
    assert calls == []
    await data_of(client, WITH_INSTANCES, {"count": 2})
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1M8GDM9AXKP042788", {"valid": True, "checkDigitValid": True, "country": "United States"}),
        ("1M8GDM9A1KP042788", {"valid": False, "checkDigitValid": False}),
        ("1M8GDM9AXKP04278", {"valid": False}),
        ("IM8GDM9AXKP042788", {"valid": False}),
    ],
)
async def test_decode_vin(client: httpx.AsyncClient, vin: str, expected: dict[str, Any]) -> None:
    data = await data_of(
        client,
        "query($v: String!) { decodeVin(vin: $v) { valid errors checkDigitValid country modelYear wmi } }",
        {"v": vin},
    )
    decoding = data["decodeVin"]
    for key, value in expected.items():
        assert decoding[key] == value, (key, decoding)
    if not decoding["valid"]:
        assert decoding["errors"]


async def test_decode_vin_refuses_huge_input(client: httpx.AsyncClient) -> None:
    body = await graphql(client, "query($v: String!) { decodeVin(vin: $v) { valid } }", {"v": "A" * 1000})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_generated_vins_decode_to_the_vehicle_year(client: httpx.AsyncClient) -> None:
    data = await data_of(
        client,
        """{ vehicles(first: 20, filter: {yearMin: 1981}) { nodes { year instances(count: 3) { vin } } } }""",
    )
    for vehicle in data["vehicles"]["nodes"]:
        for instance in vehicle["instances"]:
            decoded = await data_of(
                client,
                "query($v: String!) { decodeVin(vin: $v) { valid modelYear } }",
                {"v": instance["vin"]},
            )
            assert decoded["decodeVin"] == {"valid": True, "modelYear": vehicle["year"]}
