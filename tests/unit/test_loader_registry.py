from __future__ import annotations

from typing import Any, cast

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from datasources.vehicles.vehicle_record import VehicleRecord
from loaders.registry import Loaders, create_loaders


class NoClient:
    """Fails any Elasticsearch call: these tests must be answered from primed records."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected Elasticsearch call: {name}")


def record(vehicle_id: str, year: int = 1965) -> VehicleRecord:
    return VehicleRecord(
        vehicle_id=vehicle_id,
        manufacturer="Ford",
        model="Mustang",
        year=year,
        body_class="Coupe",
        data_source="catalog",
        instance_count=3,
        make_model_year=f"Ford|Mustang|{year}",
    )


def loaders() -> Loaders:
    return create_loaders(
        client=cast(AsyncElasticsearch, NoClient()), index="unused", cache=cast(AggregationCache, None)
    )


def test_loaders_are_built_on_first_use_and_kept() -> None:
    built = loaders()
    assert built._by_id is None  # what this test is about: nothing built yet
    assert built.vehicle_by_id is built.vehicle_by_id
    assert built.years_by_make_model is built.years_by_make_model
    assert built.vehicles_by_group is built.vehicles_by_group


async def test_records_primed_before_the_loader_exists_answer_its_loads() -> None:
    built = loaders()
    first, again = record("v1", 1965), record("v1", 1970)
    built.prime_vehicles([first, record("v2")])
    built.prime_vehicles([again])  # the first record read wins, as with DataLoader.prime
    assert await built.vehicle_by_id.load("v1") is first
    found = await built.vehicle_by_id.load_many(["v2", "v1"])
    assert [r.vehicle_id if r else None for r in found] == ["v2", "v1"]


async def test_records_primed_after_the_loader_exists_answer_its_loads() -> None:
    built = loaders()
    by_id = built.vehicle_by_id
    first = record("v1", 1965)
    built.prime_vehicles([first, record("v1", 1970)])
    assert await by_id.load("v1") is first
