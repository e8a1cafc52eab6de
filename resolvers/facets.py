"""Facet counts for a filter: what the picker shows next to each option."""

from __future__ import annotations

from datasources.vehicles.manufacturer_groups import cached_facets
from datasources.vehicles.vehicle_filter import VehicleFilter
from datasources.vehicles.vehicle_store import FacetCounts
from resolvers.scope import DataScope
from resolvers.vehicles import normalised_filter


async def facets(*, scope: DataScope, vehicle_filter: VehicleFilter | None) -> FacetCounts:
    cached = await cached_facets(
        client=scope.client,
        index=scope.index,
        cache=scope.cache,
        vehicle_filter=normalised_filter(vehicle_filter),
    )
    if cached.stale:
        scope.stale.add("facets")
    return cached.value
