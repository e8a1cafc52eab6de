"""Manufacturer groups: the picker's combinations, one manufacturer, a group's vehicles."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.vehicles.manufacturer_groups import cached_manufacturer_groups
from datasources.vehicles.vehicle_filter import MakeModel, SortOrder, VehicleFilter
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate
from loaders.vehicles_by_group import GroupVehiclesKey
from resolvers.cursors import decode_offset, encode_offset
from resolvers.pagination import Edge, Page, check_first
from resolvers.scope import DataScope
from resolvers.vehicles import VehiclePage, normalised_filter, page_from_hits

MAX_GROUPS_PAGE = 500
MAX_NAME_LENGTH = 100


GroupPage = Page[ManufacturerAggregate]


async def manufacturer_model_combinations(
    *, scope: DataScope, search: str | None, first: int | None, after: str | None
) -> GroupPage:
    size = check_first(first, default=50, maximum=MAX_GROUPS_PAGE)
    offset = decode_offset(after)
    vehicle_filter = normalised_filter(VehicleFilter(search=search)) if search else None
    cached = await cached_manufacturer_groups(
        client=scope.client, index=scope.index, cache=scope.cache, vehicle_filter=vehicle_filter
    )
    if cached.stale:
        scope.stale.add("manufacturerModelCombinations")
    groups = cached.value
    window = groups[offset : offset + size]
    return GroupPage(
        edges=[Edge(node=g, cursor=encode_offset(offset + i)) for i, g in enumerate(window)],
        total=len(groups),
        has_next_page=offset + size < len(groups),
        has_previous_page=offset > 0,
    )


async def manufacturer(*, scope: DataScope, name: str) -> ManufacturerAggregate | None:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        return None
    return await scope.loaders.group_by_manufacturer.load(name)


async def group_of(*, scope: DataScope, record: VehicleRecord) -> ManufacturerAggregate:
    return _or_own(await scope.loaders.group_by_manufacturer.load(record.manufacturer), record)


def held_group_of(*, scope: DataScope, record: VehicleRecord) -> ManufacturerAggregate | None:
    """The record's group from the groups the process holds; None when it holds none (ask `group_of`)."""
    held = scope.loaders.held_groups()
    return None if held is None else _or_own(held.get(record.manufacturer.lower()), record)


def _or_own(group: ManufacturerAggregate | None, record: VehicleRecord) -> ManufacturerAggregate:
    if group is None:
        # Indexed after the cached aggregation was taken: describe it from the record.
        return ManufacturerAggregate(manufacturer=record.manufacturer, count=1, models=())
    return group


async def group_vehicles(
    *,
    scope: DataScope,
    group: ManufacturerAggregate,
    first: int | None,
    vehicle_filter: VehicleFilter | None,
    sort: Sequence[SortOrder] = (),
) -> VehiclePage:
    size = check_first(first, default=10)
    key = GroupVehiclesKey(
        manufacturer=group.manufacturer,
        first=size,
        vehicle_filter=normalised_filter(vehicle_filter),
        sort=tuple(sort),
    )
    page = page_from_hits(await scope.loaders.vehicles_by_group.load(key), first=size)
    scope.loaders.prime_vehicles(page.nodes)
    return page


MAX_OTHER_YEARS = 100


async def other_years(*, scope: DataScope, record: VehicleRecord, first: int | None) -> list[VehicleRecord]:
    """One record for each other model year of the same manufacturer and model."""
    size = check_first(first, default=10, maximum=MAX_OTHER_YEARS)
    if size == 0:
        return []
    years = await scope.loaders.years_by_make_model.load(
        MakeModel(manufacturer=record.manufacturer, model=record.model)
    )
    return [other for other in years if other.year != record.year][:size]
