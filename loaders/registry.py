"""The loaders of one request. Built per request so no result outlives it.

Each loader is built on first use: most operations use one loader or none, and
building all four would cost every request a share of its time (docs/cold-path.md). Records primed
before the by-id loader exists wait in a dict and are primed when it is built,
so a search page that nothing asks for by id again costs no futures.

A whole list asked by id (`vehiclesByIds`) before the by-id loader exists is
read in one mget without the loader: DataLoader.load_many costs a future, a
batch entry and a gather slot per id, a large share of a long list's time. What
it reads waits with the primed records for any later lookup by id.

A vehicle's `group` is answered at once from the groups the process holds
(`held_groups`), without a future per vehicle; only when they are not held does
it go through the group loader, which reads them once for the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from datasources.vehicles.manufacturer_groups import held_manufacturer_groups
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate, get_by_ids
from loaders.batch_observer import BatchObserver, ignore_batch
from loaders.group_by_manufacturer import GroupByManufacturerLoader
from loaders.vehicle_by_id import VehicleByIdLoader
from loaders.vehicles_by_group import VehiclesByGroupLoader
from loaders.years_by_make_model import YearsByMakeModelLoader


class Loaders:
    __slots__ = (
        "_by_id",
        "_cache",
        "_client",
        "_group",
        "_held_groups",
        "_index",
        "_observe",
        "_primed",
        "_vehicles_by_group",
        "_years",
        "stale",
    )

    def __init__(
        self, *, client: AsyncElasticsearch, index: str, cache: AggregationCache, observe: BatchObserver
    ) -> None:
        self._client = client
        self._index = index
        self._cache = cache
        self._observe = observe
        # Names of the answers in this request that came from the last-known cache.
        self.stale: set[str] = set()
        self._primed: dict[str, VehicleRecord] = {}
        self._by_id: VehicleByIdLoader | None = None
        self._years: YearsByMakeModelLoader | None = None
        self._group: GroupByManufacturerLoader | None = None
        self._held_groups: dict[str, ManufacturerAggregate] | None = None
        self._vehicles_by_group: VehiclesByGroupLoader | None = None

    @property
    def vehicle_by_id(self) -> VehicleByIdLoader:
        if self._by_id is None:
            self._by_id = VehicleByIdLoader(client=self._client, index=self._index, observe=self._observe)
            if self._primed:
                self._by_id.prime_many(self._primed)
                self._primed.clear()
        return self._by_id

    async def vehicles_by_ids(self, ids: Sequence[str]) -> list[VehicleRecord | None]:
        """Records in the order asked (None when unknown), in one lookup of the ids not yet read."""
        if self._by_id is not None:
            # Lookups by id are under way: join them, so an id is read once per request.
            return list(await self._by_id.load_many(ids))
        primed = self._primed
        missing = [vehicle_id for vehicle_id in dict.fromkeys(ids) if vehicle_id not in primed]
        if missing:
            self._observe("vehicle_by_id", len(missing))
            found = await get_by_ids(self._client, index=self._index, ids=missing)
            for vehicle_id, record in found.items():
                primed.setdefault(vehicle_id, record)
        return [primed.get(vehicle_id) for vehicle_id in ids]

    def prime_vehicles(self, records: Iterable[VehicleRecord]) -> None:
        """Records already read, for any later lookup of theirs by id in this request."""
        if self._by_id is not None:
            self._by_id.prime_many({record.vehicle_id: record for record in reversed(list(records))})
            return
        for record in records:
            self._primed.setdefault(record.vehicle_id, record)

    @property
    def years_by_make_model(self) -> YearsByMakeModelLoader:
        if self._years is None:
            self._years = YearsByMakeModelLoader(
                client=self._client, index=self._index, observe=self._observe
            )
        return self._years

    @property
    def group_by_manufacturer(self) -> GroupByManufacturerLoader:
        if self._group is None:
            self._group = GroupByManufacturerLoader(
                client=self._client,
                index=self._index,
                cache=self._cache,
                observe=self._observe,
                on_stale=self.stale.add,
            )
        return self._group

    def held_groups(self) -> dict[str, ManufacturerAggregate] | None:
        """Every manufacturer's group by lower-cased name when the process holds them; None if not.

        Read once per request and kept for it, so the request's `group` fields agree.
        """
        if self._held_groups is None:
            groups = held_manufacturer_groups(index=self._index, cache=self._cache)
            if groups is not None:
                self._held_groups = {group.manufacturer.lower(): group for group in groups}
        return self._held_groups

    @property
    def vehicles_by_group(self) -> VehiclesByGroupLoader:
        if self._vehicles_by_group is None:
            self._vehicles_by_group = VehiclesByGroupLoader(
                client=self._client, index=self._index, observe=self._observe
            )
        return self._vehicles_by_group


def create_loaders(
    *,
    client: AsyncElasticsearch,
    index: str,
    cache: AggregationCache,
    observe: BatchObserver = ignore_batch,
) -> Loaders:
    return Loaders(client=client, index=index, cache=cache, observe=observe)
