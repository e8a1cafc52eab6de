"""YearsByMakeModelLoader: one record per model year of a manufacturer+model.

Serves `Vehicle.otherYears`; all the make+model pairs asked for in a tick go
to Elasticsearch as one msearch, each search collapsed on `year`.
"""

from __future__ import annotations

from collections.abc import Sequence

from elasticsearch import AsyncElasticsearch
from strawberry.dataloader import DataLoader

from datasources.vehicles.vehicle_filter import MakeModel, VehicleFilter, build_query
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import SearchRequest, search_many
from loaders.batch_observer import BatchObserver

# No model in the catalog was built for more than this many years.
MAX_YEARS_PER_MODEL = 100


class YearsByMakeModelLoader(DataLoader[MakeModel, list[VehicleRecord]]):
    def __init__(self, *, client: AsyncElasticsearch, index: str, observe: BatchObserver) -> None:
        async def load(keys: Sequence[MakeModel]) -> list[list[VehicleRecord]]:
            observe("years_by_make_model", len(keys))
            requests = [
                SearchRequest(
                    query=build_query(VehicleFilter(models=(key,))),
                    sort=[{"year": {"order": "asc"}}, {"vehicle_id": {"order": "asc"}}],
                    size=MAX_YEARS_PER_MODEL,
                    collapse_field="year",
                    track_total_hits=False,
                )
                for key in keys
            ]
            pages = await search_many(client, index=index, requests=requests)
            return [[hit.record for hit in page.hits] for page in pages]

        super().__init__(load_fn=load)
