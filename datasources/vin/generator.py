"""generate_instances: a vehicle's VIN instances, computed on demand and never stored."""

from __future__ import annotations

from typing import Final

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin.attributes import draw_instance
from datasources.vin.instance import VinInstance
from datasources.vin.random_source import MAX_STREAM_INSTANCES, instance_state
from datasources.vin.vehicle_context import vehicle_context

MIN_INSTANCES: Final = 1
MAX_INSTANCES: Final = MAX_STREAM_INSTANCES


def generate_instances(record: VehicleRecord, *, count: int) -> list[VinInstance]:
    """`count` instances (1-20) of `record`, the same in every process; instance i
    is read from its own window of the vehicle's stream, so asking for more
    instances only appends."""
    if not MIN_INSTANCES <= count <= MAX_INSTANCES:
        raise ValueError(f"count must be between {MIN_INSTANCES} and {MAX_INSTANCES}, got {count}")
    context = vehicle_context(record)
    seed = context.seed
    return [draw_instance(context, instance_state(seed, index), index=index)[0] for index in range(count)]
