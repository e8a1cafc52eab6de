"""GroupByManufacturerLoader: groups for any number of manufacturers from one aggregation.

The aggregation over all manufacturers is small (one bucket per manufacturer)
and is the same cached value `manufacturerModelCombinations` uses, so asking
for `group` on many vehicles usually costs no Elasticsearch call at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from elasticsearch import AsyncElasticsearch
from strawberry.dataloader import DataLoader

from datasources.cache.aggregation_cache import AggregationCache
from datasources.vehicles.manufacturer_groups import cached_manufacturer_groups
from datasources.vehicles.vehicle_store import ManufacturerAggregate
from loaders.batch_observer import BatchObserver


class GroupByManufacturerLoader(DataLoader[str, ManufacturerAggregate | None]):
    def __init__(
        self,
        *,
        client: AsyncElasticsearch,
        index: str,
        cache: AggregationCache,
        observe: BatchObserver,
        on_stale: Callable[[str], None],
    ) -> None:
        async def load(names: Sequence[str]) -> list[ManufacturerAggregate | None]:
            observe("group_by_manufacturer", len(names))
            cached = await cached_manufacturer_groups(
                client=client, index=index, cache=cache, vehicle_filter=None
            )
            if cached.stale:
                on_stale("group")
            by_name = {group.manufacturer.lower(): group for group in cached.value}
            return [by_name.get(name.lower()) for name in names]

        super().__init__(load_fn=load)
