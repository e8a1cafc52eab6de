"""Short wrk runs of race workloads against several servers in alternating rounds.

What the ablation (scripts/bench/ablation.py) and the server comparison
(scripts/bench/servers.py) share. Every cold or literal run starts where the
previous run of that workload stopped, whichever server it went to, so no run
meets an answer another one left in Redis (and the index's and Redis' caches
are cleared before it anyway). A small variant space wraps around; a cell is
marked when a server was sent a variant it had itself answered within the
caches' time to live, since that answer may have come from its own process.
The verdict of a comparison is the median over rounds of the per-round ratio,
so the drift of a shared machine between minutes favours no side.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.bench import bench_index, floors
from scripts.bench.deployment import cache_ttl_seconds
from scripts.bench.race_scripts import write_script
from scripts.bench.race_workloads import GRAPHQL_PATH, Mode, RaceWorkload
from scripts.bench.server import ServerProcess
from scripts.bench.workloads import JSON_HEADERS
from scripts.bench.wrk import WrkResult, run_wrk


@dataclass(frozen=True, slots=True)
class Cell:
    """One workload in one mode."""

    workload: RaceWorkload
    mode: Mode

    @property
    def key(self) -> str:
        return f"{self.workload.name}:{self.mode}"

    @property
    def variants(self) -> int:
        if self.mode == "repeated":
            return 1
        return len(self.workload.cold if self.mode == "cold" else self.workload.literal)


def parse_cells(names: Sequence[str], workloads: Sequence[RaceWorkload]) -> list[Cell]:
    """`workload:mode` names (`filtered_search:cold`) as cells."""
    by_name = {w.name: w for w in workloads}
    cells = []
    for name in names:
        workload_name, _, mode = name.partition(":")
        workload = by_name.get(workload_name)
        if workload is None or mode not in workload.modes:
            known = ", ".join(f"{w.name}:{m}" for w in workloads for m in w.modes)
            raise SystemExit(f"unknown workload {name!r}; known: {known}")
        cells.append(Cell(workload, mode))
    return cells


def url_of(server: ServerProcess, workload: RaceWorkload) -> str:
    return server.base_url + (GRAPHQL_PATH if workload.graphql else "")


def send(server: ServerProcess, workload: RaceWorkload, line: bytes) -> tuple[int, bytes]:
    """One request of the workload, as wrk would send it."""
    if workload.graphql:
        request = urllib.request.Request(
            url_of(server, workload), data=line, headers=JSON_HEADERS, method="POST"
        )
    else:
        request = urllib.request.Request(server.base_url + line.decode(), method="GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


class Rounds:
    """Runs wrk for a cell against a server, keeping each cell's place in its variants."""

    def __init__(
        self,
        *,
        wrk: str,
        work_dir: Path,
        elasticsearch_url: str,
        redis_url: str,
        index: str,
        seconds: float,
        reuse_window_seconds: float = 30.0,
    ) -> None:
        self.wrk = wrk
        self.work_dir = work_dir
        self.elasticsearch_url = elasticsearch_url
        self.redis_url = redis_url
        self.index = index
        self.seconds = seconds
        self.cursor: dict[str, int] = {}
        # Per (server, cell): when each run started, and the variants it sent (start, count).
        self.sent: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
        self.reused: set[str] = set()
        self.reuse_window_seconds = reuse_window_seconds

    @classmethod
    def for_runner(cls, args: argparse.Namespace, *, wrk: str, work_dir: Path) -> Rounds:
        """The rounds of a runner beside `make bench` (its services, index and run length)."""
        return cls(
            wrk=wrk,
            work_dir=work_dir,
            elasticsearch_url=args.elasticsearch_url,
            redis_url=args.redis_url,
            index=args.index,
            seconds=args.duration,
            reuse_window_seconds=cache_ttl_seconds(),
        )

    def run(self, server: ServerProcess, cell: Cell, *, connections: int) -> WrkResult:
        start = 0
        if cell.mode != "repeated":
            start = self.cursor.get(cell.key, 0)
            bench_index.clear_cached_answers(self.redis_url, self.index)
            floors.clear_search_caches(elasticsearch_url=self.elasticsearch_url, index=self.index)
        script = write_script(self.work_dir, cell.workload, cell.mode, start=start)
        began = time.monotonic()
        result = run_wrk(
            binary=self.wrk,
            url=url_of(server, cell.workload),
            script=script,
            connections=connections,
            seconds=self.seconds,
        )
        if cell.mode != "repeated":
            sent = result.requests + connections
            self.cursor[cell.key] = start + sent
            earlier = self.sent.setdefault((server.name, cell.key), [])
            if any(
                began - at < self.reuse_window_seconds and overlap(start, sent, other, count, cell.variants)
                for at, other, count in earlier
            ):
                self.reused.add(cell.key)
            earlier.append((began, start, sent))
        return result


def overlap(start: int, count: int, other: int, other_count: int, size: int) -> bool:
    """Whether variants `start`.. (`count` of them) and `other`.. share one, modulo `size`."""
    if count + other_count > size:
        return True
    return (other - start) % size < count or (start - other) % size < other_count


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def median_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float | None:
    """The median of the per-round ratios (rounds where both sides have a value)."""
    pairs = [a / b for a, b in zip(numerators, denominators, strict=True) if b > 0]
    return statistics.median(pairs) if pairs else None


def point(result: WrkResult) -> dict[str, Any]:
    return {
        "requests_per_second": round(result.requests_per_second, 1),
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "requests": result.requests,
        "errors": result.errors,
    }
