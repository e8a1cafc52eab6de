"""VIN instances and VIN decoding: pure computation, no data store involved."""

from __future__ import annotations

from typing import Any

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin import (
    MAX_INSTANCES,
    MIN_INSTANCES,
    VinDecoding,
    VinInstance,
    decode_vin,
    generate_instances,
)
from resolvers.errors import InvalidArgument

DEFAULT_INSTANCES = 8
# Far longer than any VIN or chassis number; longer input is refused, not decoded.
MAX_VIN_INPUT = 64


def check_count(count: int | None) -> int:
    if count is None:
        return DEFAULT_INSTANCES
    if not MIN_INSTANCES <= count <= MAX_INSTANCES:
        raise InvalidArgument(f"count must be between {MIN_INSTANCES} and {MAX_INSTANCES}, got {count}")
    return count


def vehicle_instances(*, record: VehicleRecord, count: int | None) -> list[VinInstance]:
    """The vehicle's first `count` instances; computed only when asked for."""
    return generate_instances(record, count=check_count(count))


def instance_to_dict(instance: VinInstance) -> dict[str, Any]:
    return instance.to_dict()


def decode(*, vin: str) -> VinDecoding:
    if len(vin) > MAX_VIN_INPUT:
        raise InvalidArgument(f"vin is longer than {MAX_VIN_INPUT} characters")
    return decode_vin(vin)
