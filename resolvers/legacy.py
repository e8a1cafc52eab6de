"""Page-number paging for the REST v1 shim, over the same operations GraphQL uses.

The old backend's clients ask for "page 3 of 20"; GraphQL hands out cursors.
Both paths build their Elasticsearch requests with the shared query builders
and read manufacturer groups through the same aggregation cache, so a REST
answer and a GraphQL answer for the same inputs agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from datasources.vehicles.manufacturer_groups import cached_manufacturer_groups
from datasources.vehicles.vehicle_filter import SortOrder, VehicleFilter, build_query, build_sort
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate, SearchRequest, search
from datasources.vin import VinInstance
from resolvers.errors import InvalidArgument, NotFound
from resolvers.instances import vehicle_instances
from resolvers.scope import DataScope
from resolvers.vehicles import normalised_filter, vehicle

T = TypeVar("T")

# How much of an unknown id a NotFound message repeats.
_SHOWN_ID_LENGTH = 64

# Elasticsearch's index.max_result_window: it refuses `from + size` beyond it.
# Deeper pages belong to GraphQL's cursor pagination (search_after).
RESULT_WINDOW = 10_000


@dataclass(frozen=True, slots=True)
class OffsetPage(Generic[T]):
    items: list[T]
    total: int
    # True when the items came from the last-known cache during an outage.
    stale: bool = False


def _check_window(*, offset: int, limit: int) -> None:
    if offset < 0 or limit < 0:
        raise InvalidArgument("offset and limit must not be negative")
    if offset + limit > RESULT_WINDOW:
        raise InvalidArgument(
            f"page goes past the first {RESULT_WINDOW:,} results; narrow the query "
            "or use GraphQL cursor pagination"
        )


async def manufacturer_groups_page(
    *, scope: DataScope, search: str | None, offset: int = 0, limit: int | None = None
) -> OffsetPage[ManufacturerAggregate]:
    """A slice of the cached groups (all of them without a limit): the list is small, so paging
    it costs nothing extra."""
    if offset < 0 or (limit is not None and limit < 0):
        raise InvalidArgument("offset and limit must not be negative")
    # The same filter (and so the same cache key) manufacturerModelCombinations uses.
    vehicle_filter = normalised_filter(VehicleFilter(search=search)) if search else None
    cached = await cached_manufacturer_groups(
        client=scope.client, index=scope.index, cache=scope.cache, vehicle_filter=vehicle_filter
    )
    if cached.stale:
        scope.stale.add("manufacturerModelCombinations")
    groups = cached.value
    end = None if limit is None else offset + limit
    return OffsetPage(items=list(groups[offset:end]), total=len(groups), stale=cached.stale)


async def vehicles_page(
    *,
    scope: DataScope,
    vehicle_filter: VehicleFilter | None,
    sort: Sequence[SortOrder],
    offset: int,
    limit: int,
) -> OffsetPage[VehicleRecord]:
    """One page of matching vehicles by offset, with the exact total; ONE search."""
    _check_window(offset=offset, limit=limit)
    normalised = normalised_filter(vehicle_filter)
    result = await search(
        scope.client,
        index=scope.index,
        request=SearchRequest(
            query=build_query(normalised),
            sort=build_sort(tuple(sort), relevance=bool(normalised and normalised.search)),
            size=limit,
            offset=offset,
        ),
    )
    return OffsetPage(items=[hit.record for hit in result.hits], total=result.total)


@dataclass(frozen=True, slots=True)
class VehicleInstances:
    record: VehicleRecord
    instances: list[VinInstance]


async def instances_of_vehicle(*, scope: DataScope, vehicle_id: str, count: int) -> VehicleInstances:
    """The record (one lookup) and its first `count` generated instances."""
    record = await vehicle(scope=scope, vehicle_id=vehicle_id)
    if record is None:
        raise NotFound(f"No vehicle has the id {vehicle_id[:_SHOWN_ID_LENGTH]!r}")
    return VehicleInstances(record=record, instances=vehicle_instances(record=record, count=count))
