"""VehicleByIdLoader: any number of ids in a tick cost one mget."""

from __future__ import annotations

from collections.abc import Sequence

from elasticsearch import AsyncElasticsearch
from strawberry.dataloader import DataLoader

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import get_by_ids
from loaders.batch_observer import BatchObserver


class VehicleByIdLoader(DataLoader[str, VehicleRecord | None]):
    def __init__(self, *, client: AsyncElasticsearch, index: str, observe: BatchObserver) -> None:
        async def load(ids: Sequence[str]) -> list[VehicleRecord | None]:
            observe("vehicle_by_id", len(ids))
            found = await get_by_ids(client, index=index, ids=list(dict.fromkeys(ids)))
            return [found.get(vehicle_id) for vehicle_id in ids]

        super().__init__(load_fn=load)
