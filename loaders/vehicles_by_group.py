"""VehiclesByGroupLoader: the first vehicles of many manufacturer groups in one msearch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from elasticsearch import AsyncElasticsearch
from strawberry.dataloader import DataLoader

from datasources.vehicles.vehicle_filter import SortOrder, VehicleFilter, build_query, build_sort
from datasources.vehicles.vehicle_store import SearchPage, SearchRequest, search_many
from loaders.batch_observer import BatchObserver

EMPTY_PAGE = SearchPage(hits=[], total=0)


@dataclass(frozen=True, slots=True)
class GroupVehiclesKey:
    manufacturer: str
    first: int
    vehicle_filter: VehicleFilter | None = None
    sort: tuple[SortOrder, ...] = ()


def _request(key: GroupVehiclesKey) -> SearchRequest | None:
    """The group's search, or None when the filter's model pairs exclude the group."""
    base = key.vehicle_filter or VehicleFilter()
    pairs = tuple(m for m in base.models if m.manufacturer.lower() == key.manufacturer.lower())
    if base.models and not pairs:
        return None
    query = build_query(replace(base, models=pairs))
    in_group = {"term": {"manufacturer.keyword": {"value": key.manufacturer}}}
    return SearchRequest(
        query={"bool": {"must": [query], "filter": [in_group]}},
        sort=build_sort(key.sort, relevance=False),
        size=key.first + 1,  # one extra tells whether there is a next page
    )


class VehiclesByGroupLoader(DataLoader[GroupVehiclesKey, SearchPage]):
    def __init__(self, *, client: AsyncElasticsearch, index: str, observe: BatchObserver) -> None:
        async def load(keys: Sequence[GroupVehiclesKey]) -> list[SearchPage]:
            observe("vehicles_by_group", len(keys))
            requests = [_request(key) for key in keys]
            pages = iter(await search_many(client, index=index, requests=[r for r in requests if r]))
            return [next(pages) if request else EMPTY_PAGE for request in requests]

        super().__init__(load_fn=load)
