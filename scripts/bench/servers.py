"""Granian weighed against uvicorn with `autos-graph serve`'s own options, as deployed.

    flock /tmp/autos-bench.lock .venv/bin/python -m scripts.bench.servers    # ~3 minutes
    .venv/bin/python -m scripts.bench.servers --rounds 1 --duration 1

Four servers side by side on the benchmark's index (`make bench` loads it),
all with the environment k8s/configmap.yaml deploys (scripts/bench/deployment.py):
autos-graph served by `autos-graph serve` (uvicorn, uvloop, httptools) and by
Granian (ASGI interface, one worker, HTTP/1 on loopback, uvloop), and the floor
app (scripts/bench/floor_app.py, a fixed body of the size of the repeated
answer) on each. The repeated and the cold filtered search run at 1 and 16
connections in alternating rounds; the floor gets the repeated script. Prints a
Markdown table with the medians and Granian's median per-round ratio to uvicorn.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.bench import bench_index
from scripts.bench.deployment import add_service_arguments, deployed_environment
from scripts.bench.race_workloads import race_workloads
from scripts.bench.rounds import Rounds, median, median_ratio, parse_cells, point, send
from scripts.bench.server import ServerProcess, free_port, python_command, serve_command
from scripts.bench.wrk import ensure_wrk

# What `autos-graph serve` hands uvicorn (scripts/bench/tests/test_servers.py holds the two equal).
APP_FACTORY = "graph.asgi:app_factory"
FLOOR_APP = "scripts.bench.floor_app:app"
CELLS = ("filtered_search:repeated", "filtered_search:cold")
SERVERS = ("uvicorn", "granian")


@dataclass(frozen=True, slots=True)
class Side:
    app: str  # "autos-graph" or "floor"
    server: str  # "uvicorn" or "granian"

    @property
    def name(self) -> str:
        return f"{self.app}-{self.server}"


def granian_command(target: str, *, port: int, factory: bool) -> list[str]:
    binary = shutil.which("granian", path=str(Path(sys.executable).parent)) or shutil.which("granian")
    if binary is None:
        raise SystemExit("granian is not installed: `make install` installs the development extra")
    return [
        binary,
        "--interface",
        "asgi",
        "--http",
        "1",
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *(["--factory"] if factory else []),
        target,
    ]


def command(side: Side, port: int) -> list[str]:
    if side.server == "granian":
        factory = side.app == "autos-graph"
        return granian_command(APP_FACTORY if factory else FLOOR_APP, port=port, factory=factory)
    return serve_command() if side.app == "autos-graph" else python_command("scripts.bench.floor_app")


def server_for(side: Side, args: argparse.Namespace, work: Path, *, floor_bytes: int) -> ServerProcess:
    port = free_port()
    env = deployed_environment(
        elasticsearch_url=args.elasticsearch_url,
        redis_url=args.redis_url,
        index=args.index,
        port=port,
        FLOOR_BODY_BYTES=str(floor_bytes),
    )
    return ServerProcess(
        name=side.name,
        command=command(side, port),
        env=env,
        port=port,
        ready_path="/health/ready",
        log_dir=work,
    )


def markdown(results: dict[tuple[str, str, str, int], list[dict[str, Any]]]) -> str:
    lines = [
        "| app | server | workload | conns | req/s | p50 ms | p99 ms | Granian / uvicorn req/s |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for (app, server, cell, connections), points in results.items():
        valid = [p for p in points if not p["errors"]]
        rps = median([p["requests_per_second"] for p in valid])
        ratio_text = ""
        if server == "granian":
            base = results.get((app, "uvicorn", cell, connections), [])
            pairs = [
                (g, u) for g, u in zip(points, base, strict=False) if not g["errors"] and not u["errors"]
            ]
            ratio = median_ratio(
                [g["requests_per_second"] for g, _ in pairs], [u["requests_per_second"] for _, u in pairs]
            )
            ratio_text = "–" if ratio is None else f"{ratio:.2f} ×"
        errors = sum(p["errors"] for p in points)
        lines.append(
            f"| {app} | {server} | {cell}{' (errors)' if errors else ''} | {connections} "
            f"| {'–' if rps is None else f'{rps:,.0f}'} "
            f"| {_ms(median([p['p50_ms'] for p in valid]))} | {_ms(median([p['p99_ms'] for p in valid]))} "
            f"| {ratio_text} |"
        )
    return "\n".join(lines)


def _table_order(item: tuple[tuple[str, str, str, int], Any]) -> tuple[bool, str, int, int]:
    (app, server, cell, connections), _ = item
    return (app != "autos-graph", cell, connections, SERVERS.index(server))


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    started_at = time.perf_counter()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--variants", type=int, default=30_000)
    args = parser.parse_args(argv)
    catalog = bench_index.catalog(args.elasticsearch_url, args.index)
    ids = bench_index.id_pool(args.elasticsearch_url, args.index)
    cells = parse_cells(CELLS, race_workloads(catalog=catalog, ids=ids, count=args.variants))
    repeated = cells[0]
    sides = [Side("autos-graph", s) for s in SERVERS] + [Side("floor", s) for s in SERVERS]
    results: dict[tuple[str, str, str, int], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="autos-servers-") as directory, contextlib.ExitStack() as stack:
        work = Path(directory)
        # The floor's body is as long as the repeated answer; uvicorn's autos-graph measures it.
        first = stack.enter_context(server_for(sides[0], args, work, floor_bytes=0))
        status, answer = send(first, repeated.workload, repeated.workload.lines("repeated")[0])
        if status != 200:
            raise SystemExit(f"autos-graph answered the repeated filtered search with {status}")
        started = {sides[0]: first}
        for side in sides[1:]:
            started[side] = server_for(side, args, work, floor_bytes=len(answer))
            stack.callback(started[side].stop)
            started[side].launch()
        for server in started.values():
            server.wait_ready(timeout=180)
        for side, server in started.items():
            if side.app == "autos-graph":
                for cell in cells:
                    values = getattr(cell.workload, cell.mode)[-3:] if cell.mode != "repeated" else []
                    for value in [cell.workload.repeated, *values]:
                        status, _ = send(server, cell.workload, cell.workload.line(cell.mode, value))
                        if status != 200:
                            raise SystemExit(f"{side.name} answered {cell.key} with {status}")
        rounds = Rounds.for_runner(args, wrk=ensure_wrk(), work_dir=work)
        for number in range(args.rounds):
            order = sides if number % 2 == 0 else sides[::-1]
            for cell in cells:
                for connections in args.connections:
                    for side in order:
                        if side.app == "floor" and cell.mode != "repeated":
                            continue
                        result = rounds.run(started[side], cell, connections=connections)
                        key = (side.app, side.server, cell.key, connections)
                        results.setdefault(key, []).append(point(result))
                        print(
                            f"[servers] round {number + 1} {side.name} {cell.key} c={connections}: "
                            f"{result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms",
                            file=sys.stderr,
                            flush=True,
                        )
    ordered = dict(sorted(results.items(), key=_table_order))
    print(markdown(ordered))
    if rounds.reused:
        print(
            f"\nA server met variants it had answered within the caches' TTL in: {', '.join(rounds.reused)}"
        )
    print(
        f"\n{args.rounds} rounds of {args.duration:g} s per run; floor body {len(answer):,} bytes; "
        f"wall time {time.perf_counter() - started_at:.0f} s."
    )


if __name__ == "__main__":
    main()
