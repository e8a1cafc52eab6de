"""Entities a federation gateway asks the catalog for by key (`_entities`), through the request's loaders.

Every vehicle representation of one request joins the by-id loader, so any
number of them cost one `mget`; groups come through the group loader (one
aggregation, usually held by the process); a `Node` by its global id is
whichever of the two the id names. A key that names nothing raises
NotFound: the federation specification wants that entity null with an error
and the others resolved. A representation that is not one of ours fails the
whole field with a clear error before any lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate
from resolvers import groups, nodes, vehicles
from resolvers.errors import InvalidArgument, NotFound
from resolvers.global_ids import from_global_id
from resolvers.nodes import NodeRecord
from resolvers.scope import DataScope

# The entity types and the keys each accepts (graph/gql/federation/schema.py declares them as @key).
ENTITY_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "Vehicle": ("id", "vehicleId"),
    "ManufacturerModelGroup": ("manufacturer", "id"),
    # An entity interface: another subgraph's @interfaceObject Node adds fields to every node.
    "Node": ("id",),
}
MAX_REPRESENTATIONS: Final = vehicles.MAX_IDS

T = TypeVar("T")


def check_representations(representations: Sequence[object]) -> None:
    """Raise InvalidArgument unless every representation names an entity type and a key of it."""
    if len(representations) > MAX_REPRESENTATIONS:
        raise InvalidArgument(
            f"representations takes at most {MAX_REPRESENTATIONS} entities, got {len(representations)}"
        )
    for position, representation in enumerate(representations):
        if not isinstance(representation, Mapping):
            raise InvalidArgument(f"representations[{position}] must be an object with __typename")
        type_name = representation.get("__typename")
        keys = ENTITY_KEYS.get(type_name) if isinstance(type_name, str) else None
        if keys is None:
            raise InvalidArgument(
                f"representations[{position}].__typename must be one of {', '.join(ENTITY_KEYS)}"
            )
        if not any(isinstance(representation.get(key), str) for key in keys):
            raise InvalidArgument(
                f"representations[{position}] of {type_name} needs a string key: {' or '.join(keys)}"
            )


async def vehicle_entity(*, scope: DataScope, representation: Mapping[str, object]) -> VehicleRecord:
    """The vehicle a representation names by `id` (global or bare) or `vehicleId`."""
    key = _key(representation, ENTITY_KEYS["Vehicle"])
    return _found(await vehicles.vehicle(scope=scope, vehicle_id=key), "Vehicle", key)


async def group_entity(*, scope: DataScope, representation: Mapping[str, object]) -> ManufacturerAggregate:
    """The manufacturer group a representation names by `manufacturer` (case-insensitive) or global `id`."""
    key = _key(representation, ENTITY_KEYS["ManufacturerModelGroup"])
    name = key if isinstance(representation.get("manufacturer"), str) else _group_name(key)
    group = await groups.manufacturer(scope=scope, name=name) if name else None
    return _found(group, "ManufacturerModelGroup", key)


def _group_name(global_id: str) -> str | None:
    found = from_global_id(global_id)
    return found.key if found is not None and found.type_name == "ManufacturerModelGroup" else None


async def node_entity(*, scope: DataScope, representation: Mapping[str, object]) -> NodeRecord:
    """The vehicle or group a `Node` representation names by its global `id`."""
    global_id = _key(representation, ENTITY_KEYS["Node"])
    record = await nodes.node(scope=scope, global_id=global_id)
    if record is None:
        raise _not_found("Node", global_id)
    return record


def _key(representation: Mapping[str, object], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = representation.get(key)
        if isinstance(value, str):
            return value
    raise InvalidArgument(f"a representation needs a string key: {' or '.join(keys)}")


def _found(entity: T | None, type_name: str, key: str) -> T:
    if entity is None:
        raise _not_found(type_name, key)
    return entity


def _not_found(type_name: str, key: str) -> NotFound:
    return NotFound(f"No {type_name} has the key {key[:80]!r}")
