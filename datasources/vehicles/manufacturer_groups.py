"""Manufacturer groups and facet counts: the cached aggregations of the API."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache, Cached
from datasources.vehicles.vehicle_filter import VehicleFilter, build_query
from datasources.vehicles.vehicle_store import (
    Bucket,
    FacetCounts,
    ManufacturerAggregate,
    ModelAggregate,
    facet_counts,
    manufacturer_aggregates,
)


def _encode_groups(groups: tuple[ManufacturerAggregate, ...]) -> list[Any]:
    return [
        [g.manufacturer, g.count, [[m.model, m.count, m.year_min, m.year_max] for m in g.models]]
        for g in groups
    ]


def _decode_groups(raw: Any) -> tuple[ManufacturerAggregate, ...]:
    # A tuple: the decoded value is shared by the requests that read the same entry.
    return tuple(
        ManufacturerAggregate(
            manufacturer=name,
            count=total,
            models=tuple(
                ModelAggregate(model=m, count=c, year_min=lo, year_max=hi) for m, c, lo, hi in models
            ),
        )
        for name, total, models in raw
    )


async def _groups(
    client: AsyncElasticsearch, *, index: str, vehicle_filter: VehicleFilter | None
) -> tuple[ManufacturerAggregate, ...]:
    return tuple(await manufacturer_aggregates(client, index=index, query=build_query(vehicle_filter)))


async def cached_manufacturer_groups(
    *,
    client: AsyncElasticsearch,
    index: str,
    cache: AggregationCache,
    vehicle_filter: VehicleFilter | None,
) -> Cached[tuple[ManufacturerAggregate, ...]]:
    """Every manufacturer matching the filter, with model counts and year spans."""
    normalised = vehicle_filter.normalised() if vehicle_filter else None
    return await cache.get_or_compute(
        name="manufacturer_groups",
        arguments=normalised.cache_key() if normalised else None,
        compute=lambda: _groups(client, index=index, vehicle_filter=normalised),
        encode=_encode_groups,
        decode=_decode_groups,
        generation=index,
    )


def held_manufacturer_groups(
    *, index: str, cache: AggregationCache
) -> tuple[ManufacturerAggregate, ...] | None:
    """Every manufacturer's group, if this process holds them now (no filter); None otherwise."""
    held = cache.held(name="manufacturer_groups", arguments=None, generation=index)
    return None if held is None else tuple(held.value)


def _encode_facets(facets: FacetCounts) -> dict[str, Any]:
    def buckets(items: tuple[Bucket, ...]) -> list[list[Any]]:
        return [[b.value, b.count] for b in items]

    return {
        "total": facets.total,
        "manufacturers": buckets(facets.manufacturers),
        "body_classes": buckets(facets.body_classes),
        "data_sources": buckets(facets.data_sources),
        "decades": buckets(facets.decades),
        "year_min": facets.year_min,
        "year_max": facets.year_max,
    }


def _decode_facets(raw: Any) -> FacetCounts:
    def buckets(name: str) -> tuple[Bucket, ...]:
        return tuple(Bucket(value=v, count=c) for v, c in raw[name])

    return FacetCounts(
        total=raw["total"],
        manufacturers=buckets("manufacturers"),
        body_classes=buckets("body_classes"),
        data_sources=buckets("data_sources"),
        decades=buckets("decades"),
        year_min=raw["year_min"],
        year_max=raw["year_max"],
    )


async def cached_facets(
    *,
    client: AsyncElasticsearch,
    index: str,
    cache: AggregationCache,
    vehicle_filter: VehicleFilter | None,
) -> Cached[FacetCounts]:
    normalised = vehicle_filter.normalised() if vehicle_filter else None
    return await cache.get_or_compute(
        name="facets",
        arguments=normalised.cache_key() if normalised else None,
        compute=lambda: facet_counts(client, index=index, query=build_query(normalised)),
        encode=_encode_facets,
        decode=_decode_facets,
        generation=index,
    )
