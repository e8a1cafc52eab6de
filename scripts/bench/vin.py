"""Workload 7: 20 VIN instances of one vehicle, generated in-process.

Each call is timed on its own (wall clock and this process' CPU time) over
catalog vehicles of every era, after a warm-up that fills the generator's
per-model caches as a running server would have them. The garbage collector
stays on: a server runs with it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from datasources.catalog.dataset import iter_records
from datasources.vin import generate_instances
from scripts.bench.stats import LatencySummary, summarize

INSTANCES = 20
WARM_UP_VEHICLES = 200


@dataclass(frozen=True, slots=True)
class VinTiming:
    vehicles: int
    instances_per_call: int
    wall_ms: LatencySummary
    cpu_ms: LatencySummary

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def time_instances(*, vehicles: int = 5_000) -> VinTiming:
    records = list(iter_records("full"))
    # A stride prime to the dataset size visits every era and manufacturer.
    chosen = [records[(index * 9973) % len(records)] for index in range(vehicles)]
    for record in chosen[:WARM_UP_VEHICLES]:
        generate_instances(record, count=INSTANCES)
    wall: list[float] = []
    cpu: list[float] = []
    clock, cpu_clock = time.perf_counter, time.process_time
    for record in chosen:
        started, cpu_started = clock(), cpu_clock()
        generate_instances(record, count=INSTANCES)
        wall.append((clock() - started) * 1000)
        cpu.append((cpu_clock() - cpu_started) * 1000)
    return VinTiming(
        vehicles=vehicles, instances_per_call=INSTANCES, wall_ms=summarize(wall), cpu_ms=summarize(cpu)
    )
