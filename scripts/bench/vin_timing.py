"""Time VIN instance generation in-process and show two sample vehicles.

    .venv/bin/python -m scripts.bench.vin_timing [--vehicles 10000] [--count 20]

Generates `--count` instances for each of `--vehicles` catalog records (the
full dataset, cycled if needed) and prints mean, p50, p99 and max per call,
the best of three whole passes, the process CPU time per call (what the
generator costs, without the waits of a busy machine) and the load average,
then the instances of a 1965 and a 2015 vehicle as JSON. No services needed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from collections.abc import Sequence

from datasources.catalog.dataset import iter_records
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin import generate_instances


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _time_calls(vehicles: Sequence[VehicleRecord], *, count: int) -> list[float]:
    timings = []
    clock = time.perf_counter
    gc.disable()  # the collector's pauses would be timed as the generator's
    try:
        for vehicle in vehicles:
            started = clock()
            generate_instances(vehicle, count=count)
            timings.append(clock() - started)
    finally:
        gc.enable()
    return sorted(timings)


def _sample(records: Sequence[VehicleRecord], year: int, model: str) -> VehicleRecord:
    matches = [each for each in records if each.year == year and each.model == model]
    return (matches or [each for each in records if each.year == year])[0]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--sample-count", type=int, default=3, help="instances shown per sample vehicle")
    args = parser.parse_args(argv)

    records = list(iter_records("full"))
    vehicles = [records[(index * 9973) % len(records)] for index in range(args.vehicles)]
    _time_calls(vehicles[:200], count=args.count)  # warm the per-model caches like a running server
    timings = _time_calls(vehicles, count=args.count)
    micros = [each * 1e6 for each in timings]
    passes = [sum(_time_calls(vehicles, count=args.count)) / len(vehicles) * 1e6 for _ in range(3)]
    cpu_started = time.process_time()
    _time_calls(vehicles, count=args.count)
    cpu_per_call = (time.process_time() - cpu_started) / len(vehicles) * 1e6
    print(f"generate_instances(count={args.count}) over {len(vehicles):,} catalog vehicles:")
    print(
        f"  mean {statistics.fmean(micros):.0f} us   p50 {_percentile(micros, 0.5):.0f} us   "
        f"p99 {_percentile(micros, 0.99):.0f} us   max {micros[-1]:.0f} us"
    )
    print(
        f"  best pass mean {min(passes):.0f} us   CPU time per call {cpu_per_call:.0f} us   "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    for year, model in ((1965, "Mustang"), (2015, "Mustang")):
        vehicle = _sample(records, year, model)
        instances = generate_instances(vehicle, count=args.sample_count)
        title = f"{vehicle.year} {vehicle.manufacturer} {vehicle.model} {vehicle.body_class}"
        print(f"\n{title} ({vehicle.vehicle_id}):")
        print(json.dumps([each.to_dict() for each in instances], indent=2))


if __name__ == "__main__":
    main()
