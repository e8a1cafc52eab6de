"""Any node by its global id (Relay's `node` and `nodes`), through the per-request loaders.

Every vehicle asked for in one tick, by any number of ids, costs one `mget`;
every group one aggregation (the loaders batch them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate
from resolvers import groups, vehicles
from resolvers.errors import InvalidArgument
from resolvers.global_ids import parse_global_id
from resolvers.scope import DataScope

NodeRecord = VehicleRecord | ManufacturerAggregate


async def node(*, scope: DataScope, global_id: str) -> NodeRecord | None:
    found = parse_global_id(global_id)
    if found.type_name == "Vehicle":
        return await vehicles.vehicle(scope=scope, vehicle_id=found.key)
    return await groups.manufacturer(scope=scope, name=found.key)


async def nodes(*, scope: DataScope, ids: Sequence[str]) -> list[NodeRecord | None]:
    if len(ids) > vehicles.MAX_IDS:
        raise InvalidArgument(f"ids takes at most {vehicles.MAX_IDS} ids, got {len(ids)}")
    for global_id in ids:
        parse_global_id(global_id)  # every id is checked before any lookup starts
    return list(await asyncio.gather(*(node(scope=scope, global_id=i) for i in ids)))
