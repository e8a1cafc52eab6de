"""Vehicle lookups and searches."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.vehicles.vehicle_filter import (
    InvalidFilter,
    SortOrder,
    VehicleFilter,
    build_query,
    build_sort,
)
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import SearchPage, SearchRequest, search
from resolvers.cursors import decode_cursor, encode_cursor
from resolvers.errors import InvalidArgument
from resolvers.global_ids import vehicle_key
from resolvers.pagination import Edge, Page, check_first
from resolvers.scope import DataScope

MAX_IDS = 500
MAX_ID_LENGTH = 128
MAX_SORT_KEYS = 5


VehiclePage = Page[VehicleRecord]


def page_from_hits(result: SearchPage, *, first: int, has_previous_page: bool = False) -> VehiclePage:
    hits = result.hits[:first]
    return VehiclePage(
        edges=[Edge(node=hit.record, cursor=encode_cursor(hit.sort)) for hit in hits],
        total=result.total,
        has_next_page=len(result.hits) > first,
        has_previous_page=has_previous_page,
    )


def check_ids(ids: Sequence[str]) -> list[str]:
    """The vehicle ids asked for, each given as a global id or a bare vehicle id."""
    if len(ids) > MAX_IDS:
        raise InvalidArgument(f"ids takes at most {MAX_IDS} ids, got {len(ids)}")
    keys = [vehicle_key(i) for i in ids]
    for vehicle_id in keys:
        if not vehicle_id or len(vehicle_id) > MAX_ID_LENGTH:
            raise InvalidArgument(f"ids must be non-empty and at most {MAX_ID_LENGTH} characters")
    return keys


async def vehicle(*, scope: DataScope, vehicle_id: str) -> VehicleRecord | None:
    """One vehicle by its global id or its bare vehicle id."""
    vehicle_id = vehicle_key(vehicle_id)
    if not vehicle_id or len(vehicle_id) > MAX_ID_LENGTH:
        return None
    return await scope.loaders.vehicle_by_id.load(vehicle_id)


async def vehicles_by_ids(*, scope: DataScope, ids: Sequence[str]) -> list[VehicleRecord | None]:
    return await scope.loaders.vehicles_by_ids(check_ids(ids))


def normalised_filter(vehicle_filter: VehicleFilter | None) -> VehicleFilter | None:
    try:
        return vehicle_filter.normalised() if vehicle_filter else None
    except InvalidFilter as error:
        raise InvalidArgument(str(error)) from None


async def search_vehicles(
    *,
    scope: DataScope,
    vehicle_filter: VehicleFilter | None,
    sort: Sequence[SortOrder],
    first: int | None,
    after: str | None,
) -> VehiclePage:
    size = check_first(first, default=20)
    if len(sort) > MAX_SORT_KEYS:
        raise InvalidArgument(f"sort takes at most {MAX_SORT_KEYS} keys")
    normalised = normalised_filter(vehicle_filter)
    sort_body = build_sort(tuple(sort), relevance=bool(normalised and normalised.search))
    search_after = decode_cursor(after, expected_length=len(sort_body)) if after else None
    result = await search(
        scope.client,
        index=scope.index,
        request=SearchRequest(
            query=build_query(normalised), sort=sort_body, size=size + 1, search_after=search_after
        ),
    )
    page = page_from_hits(result, first=size, has_previous_page=search_after is not None)
    # Nested fields asking for these vehicles by id must not fetch them again.
    scope.loaders.prime_vehicles(page.nodes)
    return page
