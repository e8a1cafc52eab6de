"""Relay global object ids: `base64("<Type>:<key>")`, one scheme for every node type.

The type name inside the id makes ids unique across types (a vehicle and a
manufacturer group can never share one) and tells `node(id:)` which lookup to
make. Vehicle ids from before the scheme (the bare `vehicleId`) stay valid
wherever a vehicle id is taken, so links and caches made earlier keep working.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final, Literal

from resolvers.errors import InvalidArgument

NodeType = Literal["Vehicle", "ManufacturerModelGroup"]
NODE_TYPES: Final[tuple[NodeType, ...]] = ("Vehicle", "ManufacturerModelGroup")
MAX_GLOBAL_ID_LENGTH: Final = 512


@dataclass(frozen=True, slots=True)
class GlobalId:
    type_name: NodeType
    key: str


def to_global_id(type_name: NodeType, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def from_global_id(value: str) -> GlobalId | None:
    """The type and key inside a global id, or None when the value is not one of ours."""
    if not value or len(value) > MAX_GLOBAL_ID_LENGTH:
        return None
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, separator, key = text.partition(":")
    for known in NODE_TYPES:
        if separator and key and type_name == known:
            return GlobalId(type_name=known, key=key)
    return None


def parse_global_id(value: str) -> GlobalId:
    found = from_global_id(value)
    if found is None:
        raise InvalidArgument(
            f"{value[:80]!r} is not a global id: ids are the `id` fields of Vehicle and "
            "ManufacturerModelGroup (base64 of `<Type>:<key>`)"
        )
    return found


def vehicle_key(value: str) -> str:
    """The vehicle id inside a Vehicle global id, or the value itself (a bare vehicle id)."""
    found = from_global_id(value)
    return found.key if found is not None and found.type_name == "Vehicle" else value
