"""The loaders of one request. Built per request so no result outlives it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from loaders.batch_observer import BatchObserver, ignore_batch
from loaders.group_by_manufacturer import GroupByManufacturerLoader
from loaders.vehicle_by_id import VehicleByIdLoader
from loaders.vehicles_by_group import VehiclesByGroupLoader
from loaders.years_by_make_model import YearsByMakeModelLoader


@dataclass(slots=True)
class Loaders:
    vehicle_by_id: VehicleByIdLoader
    years_by_make_model: YearsByMakeModelLoader
    group_by_manufacturer: GroupByManufacturerLoader
    vehicles_by_group: VehiclesByGroupLoader
    stale: set[str] = field(default_factory=set)


def create_loaders(
    *,
    client: AsyncElasticsearch,
    index: str,
    cache: AggregationCache,
    observe: BatchObserver = ignore_batch,
) -> Loaders:
    stale: set[str] = set()
    mark_stale: Callable[[str], None] = stale.add
    return Loaders(
        vehicle_by_id=VehicleByIdLoader(client=client, index=index, observe=observe),
        years_by_make_model=YearsByMakeModelLoader(client=client, index=index, observe=observe),
        group_by_manufacturer=GroupByManufacturerLoader(
            client=client, index=index, cache=cache, observe=observe, on_stale=mark_stale
        ),
        vehicles_by_group=VehiclesByGroupLoader(client=client, index=index, observe=observe),
        stale=stale,
    )
