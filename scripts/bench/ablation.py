"""What each speed mechanism earns, and what the access log, the limiter and the metrics cost, as deployed.

    flock /tmp/autos-bench.lock .venv/bin/python -m scripts.bench.ablation             # ~11 minutes
    .venv/bin/python -m scripts.bench.ablation --rounds 1 --duration 1 --mechanisms lexer metrics

autos-graph runs as k8s/configmap.yaml deploys it (scripts/bench/deployment.py),
once whole ("on") and once per mechanism without it ("off"), all started side
by side on the benchmark's index (`make bench` loads it). A mechanism is taken
out by its setting where it has one, and otherwise by a named patch of
scripts/bench/ablation_server.py, never by a switch in the product. In each
round every workload runs at each connection count against every server
without a mechanism and, in the middle of them, the whole server (the order
reverses every other round); a mechanism's gain is the median over rounds of
whole req/s over its own req/s, minus one. Positive: it makes the service
faster; negative: what it costs per request.

Prints a Markdown table and its wall time; writes the raw numbers and the table
to bench-results/ablation-<timestamp>.json and .md.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from graph.settings import Settings
from scripts.bench import bench_index, machine
from scripts.bench.deployment import add_service_arguments, deployed_environment, describe
from scripts.bench.race_workloads import race_workloads
from scripts.bench.rounds import Cell, Rounds, median, median_ratio, parse_cells, point, send
from scripts.bench.server import ServerProcess, free_port, python_command, serve_command
from scripts.bench.workloads import answer_problem
from scripts.bench.wrk import ensure_wrk


@dataclass(frozen=True, slots=True)
class Mechanism:
    name: str
    # How it is taken out, as the table says it.
    off: str
    env: Mapping[str, str] = field(default_factory=dict)
    without: str | None = None  # a patch of scripts/bench/ablation_server.py

    def command(self) -> list[str]:
        if self.without is None:
            return serve_command()
        return python_command("scripts.bench.ablation_server", "--without", self.without)


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("lean HTTP node", "ES_HTTP_NODE=aiohttp", env={"ES_HTTP_NODE": "aiohttp"}),
    Mechanism("lexer", "patch `lexer`: graphql.parse", without="lexer"),
    Mechanism(
        "combined validation rules", "patch `combined_rules`: the rules as given", without="combined_rules"
    ),
    Mechanism("completion plans", "patch `completion_plans`: no plan", without="completion_plans"),
    Mechanism("held aggregations", "AGGREGATION_CACHE_MAX_BYTES=0", env={"AGGREGATION_CACHE_MAX_BYTES": "0"}),
    Mechanism("answer cache", "ANSWER_CACHE=false", env={"ANSWER_CACHE": "false"}),
    Mechanism("document cache", "DOCUMENT_CACHE_MAX_BYTES=0", env={"DOCUMENT_CACHE_MAX_BYTES": "0"}),
    # Not speed mechanisms but deployed costs: their "gain" is negative, what they cost.
    Mechanism("access log", "LOG_LEVEL=WARNING", env={"LOG_LEVEL": "WARNING"}),
    Mechanism("rate limiter", "RATE_LIMIT_PER_MINUTE=0", env={"RATE_LIMIT_PER_MINUTE": "0"}),
    Mechanism("cost budget", "COST_BUDGET_PER_MINUTE=0", env={"COST_BUDGET_PER_MINUTE": "0"}),
    Mechanism("metrics", "METRICS_ENABLED=false", env={"METRICS_ENABLED": "false"}),
)
DEFAULT_CELLS = (
    "filtered_search:repeated",
    "filtered_search:cold",
    "picker:cold",
    "nested:cold",
    "by_ids:cold",
    # A new document each request: where parsing and validation are paid.
    "by_ids:literal",
    "rest_combinations:cold",
)
VARIANTS = 30_000
# Measured on the 2-core development machine: per wrk run beyond its duration, and to start,
# warm and check the servers.
RUN_OVERHEAD_SECONDS = 0.4
START_SECONDS = 40.0
WHOLE = "whole"


def log(message: str) -> None:
    print(f"[ablation {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def check_settings(mechanisms: Sequence[Mechanism]) -> None:
    """Every variable a mechanism sets is one the service reads (a renamed setting fails here)."""
    known = {name.upper() for name in Settings.model_fields}
    for mechanism in mechanisms:
        unknown = set(mechanism.env) - known
        if unknown:
            raise SystemExit(f"{mechanism.name}: the service has no setting {', '.join(sorted(unknown))}")


def servers(
    args: argparse.Namespace, mechanisms: Sequence[Mechanism], work: Path
) -> dict[str, ServerProcess]:
    started: dict[str, ServerProcess] = {}
    for name, command, env in [
        (WHOLE, serve_command(), {}),
        *((m.name, m.command(), dict(m.env)) for m in mechanisms),
    ]:
        port = free_port()
        started[name] = ServerProcess(
            name=re.sub(r"[^A-Za-z0-9]+", "-", name),
            command=command,
            env=deployed_environment(
                elasticsearch_url=args.elasticsearch_url,
                redis_url=args.redis_url,
                index=args.index,
                port=port,
                **env,
            ),
            port=port,
            ready_path="/health/ready",
            log_dir=work,
        )
    return started


def warm_and_check(started: Mapping[str, ServerProcess], cells: Sequence[Cell]) -> None:
    """A few requests of every cell to every server: each must answer them as the whole one does."""
    for cell in cells:
        values = (
            [cell.workload.repeated] if cell.mode == "repeated" else getattr(cell.workload, cell.mode)[-3:]
        )
        for value in values:
            line = cell.workload.line(cell.mode, value)
            expected = None
            for name, server in started.items():
                status, body = send(server, cell.workload, line)
                problem = answer_problem(cell.workload.repeated_request(), status, body)
                if problem:
                    raise SystemExit(f"{name} on {cell.key}: {problem}")
                answer = _comparable(cell, body)
                if expected is None:
                    expected = answer
                elif answer != expected:
                    raise SystemExit(f"{name} answers {cell.key} differently from the whole service")


def _comparable(cell: Cell, body: bytes) -> Any:
    parsed = orjson.loads(body)
    return parsed.get("data") if cell.workload.graphql else parsed


def run_order(names: Sequence[str], number: int) -> list[str]:
    """Round `number`'s order: the whole service in the middle, nearest on average to every run it is
    compared with, and the others reversed every other round."""
    others = [name for name in names if name != WHOLE]
    if number % 2:
        others.reverse()
    middle = len(others) // 2
    return [*others[:middle], WHOLE, *others[middle:]]


def estimated_seconds(runs: int, duration: float) -> float:
    """What `runs` wrk runs take here, with the cache clearing and script loading around each."""
    return runs * (max(1, round(duration)) + RUN_OVERHEAD_SECONDS) + START_SECONDS


def measure(
    args: argparse.Namespace, started: Mapping[str, ServerProcess], cells: Sequence[Cell], work: Path
) -> dict[str, Any]:
    rounds = Rounds.for_runner(args, wrk=ensure_wrk(), work_dir=work)
    points: dict[str, dict[str, dict[int, list[dict[str, Any]]]]] = {
        cell.key: {name: {c: [] for c in args.connections} for name in started} for cell in cells
    }
    for number in range(args.rounds):
        order = run_order(list(started), number)
        for cell in cells:
            for connections in args.connections:
                for name in order:
                    result = rounds.run(started[name], cell, connections=connections)
                    points[cell.key][name][connections].append(point(result))
                whole = points[cell.key][WHOLE][connections][-1]
                log(
                    f"round {number + 1}/{args.rounds} {cell.key} c={connections}: whole "
                    f"{whole['requests_per_second']:,.0f} req/s, p50 {whole['p50_ms']:.2f} ms"
                )
    return {
        "points": points,
        "reused": sorted(rounds.reused),
    }


def rows(
    measured: dict[str, Any],
    mechanisms: Sequence[Mechanism],
    cells: Sequence[Cell],
    connections: Sequence[int],
) -> list[dict[str, Any]]:
    table = []
    for mechanism in mechanisms:
        for cell in cells:
            for count in connections:
                on = measured["points"][cell.key][WHOLE][count]
                off = measured["points"][cell.key][mechanism.name][count]
                valid = [(a, b) for a, b in zip(on, off, strict=True) if not a["errors"] and not b["errors"]]
                on_rps = [a["requests_per_second"] for a, _ in valid]
                off_rps = [b["requests_per_second"] for _, b in valid]
                ratio = median_ratio(on_rps, off_rps)
                on_median, off_median = median(on_rps), median(off_rps)
                whole = [a["requests_per_second"] for a in on if not a["errors"]]
                table.append(
                    {
                        "mechanism": mechanism.name,
                        "off": mechanism.off,
                        "workload": cell.key,
                        "connections": count,
                        "rounds": len(valid),
                        "errors": sum(a["errors"] + b["errors"] for a, b in zip(on, off, strict=True)),
                        "rps_on": on_median,
                        "rps_off": off_median,
                        "p50_on_ms": median([a["p50_ms"] for a, _ in valid]),
                        "p50_off_ms": median([b["p50_ms"] for _, b in valid]),
                        "gain_percent": None if ratio is None else round((ratio - 1) * 100, 1),
                        # Positive: time the mechanism saves per request at this load; negative: its cost.
                        "saves_us_per_request": None
                        if not on_median or not off_median
                        else round(1e6 / off_median - 1e6 / on_median, 1),
                        # A server was sent variants it had answered itself within the caches' TTL.
                        "reused": cell.key in measured["reused"],
                        # How far the whole service's own runs of this cell spread across rounds: a gain
                        # inside it is not told apart from the machine's drift.
                        "noise_percent": noise_percent(whole),
                    }
                )
    return table


def noise_percent(values: Sequence[float]) -> float | None:
    """(largest − smallest) / median of one server's runs, in percent; None below two runs."""
    middle = median(values)
    if len(values) < 2 or not middle:
        return None
    return round((max(values) - min(values)) / middle * 100, 1)


def _cell(value: float | None, digits: int = 0, *, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"


def markdown(table: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| mechanism | off by | workload | conns | req/s on | req/s off | p50 ms on | p50 ms off "
        "| gain % | noise % | saves µs/req |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table:
        flags = (" (errors)" if row["errors"] else "") + (" (reused)" if row["reused"] else "")
        lines.append(
            f"| {row['mechanism']} | {row['off']} | {row['workload']}{flags} | {row['connections']} "
            f"| {_cell(row['rps_on'])} | {_cell(row['rps_off'])} | {_cell(row['p50_on_ms'], 2)} "
            f"| {_cell(row['p50_off_ms'], 2)} | {_cell(row['gain_percent'], 1, signed=True)} "
            f"| {_cell(row['noise_percent'], 1)} "
            f"| {_cell(row['saves_us_per_request'], 1, signed=True)} |"
        )
    return "\n".join(lines)


def earns(measured: Sequence[dict[str, Any]], threshold: float) -> str:
    """Whether some row's gain reaches `threshold` % and stands out of the whole service's own
    spread on that workload (a gain inside it is not told apart from the machine's drift; with
    one round there is no spread to tell it by)."""
    reached = [r for r in measured if r["gain_percent"] >= threshold]
    clear = [r for r in reached if r["noise_percent"] is not None and r["gain_percent"] > r["noise_percent"]]
    if clear:
        best = max(clear, key=lambda r: r["gain_percent"])
        return f"yes ({best['workload']}, c={best['connections']})"
    if any(r["noise_percent"] is not None for r in reached):
        return "not told apart from noise"
    return "no spread measured (one round)" if reached else "no"


def summary(table: Sequence[dict[str, Any]], *, threshold: float = 10.0) -> str:
    """Per mechanism: its best and worst gain and where, and whether it earns `threshold` % somewhere."""
    lines = [
        f"| mechanism | best gain % (where) | worst gain % (where) | earns ≥ {threshold:g} % beyond noise |",
        "|---|---|---|---|",
    ]
    by_mechanism: dict[str, list[dict[str, Any]]] = {}
    for row in table:
        if row["gain_percent"] is not None:
            by_mechanism.setdefault(row["mechanism"], []).append(row)
    for name, measured in by_mechanism.items():
        best = max(measured, key=lambda r: r["gain_percent"])
        worst = min(measured, key=lambda r: r["gain_percent"])
        lines.append(
            f"| {name} | {best['gain_percent']:+.1f} ({best['workload']}, c={best['connections']}) "
            f"| {worst['gain_percent']:+.1f} ({worst['workload']}, c={worst['connections']}) "
            f"| {earns(measured, threshold)} |"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per wrk run (whole seconds)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    parser.add_argument(
        "--mechanisms", nargs="+", help="only these (names as in the table, e.g. lexer 'access log')"
    )
    parser.add_argument(
        "--workloads",
        nargs="+",
        default=list(DEFAULT_CELLS),
        help="workload:mode names (default: %(default)s)",
    )
    parser.add_argument(
        "--variants", type=int, default=VARIANTS, help="variants per cold or literal workload"
    )
    parser.add_argument("--output-dir", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    started_at = time.perf_counter()
    args = parse_args(argv)
    mechanisms = list(MECHANISMS)
    if args.mechanisms:
        known = {m.name: m for m in MECHANISMS}
        unknown = set(args.mechanisms) - set(known)
        if unknown:
            raise SystemExit(f"unknown mechanisms: {', '.join(sorted(unknown))}; known: {', '.join(known)}")
        mechanisms = [known[name] for name in args.mechanisms]
    check_settings(mechanisms)
    catalog = bench_index.catalog(args.elasticsearch_url, args.index)
    ids = bench_index.id_pool(args.elasticsearch_url, args.index)
    cells = parse_cells(args.workloads, race_workloads(catalog=catalog, ids=ids, count=args.variants))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    runs = args.rounds * len(cells) * len(args.connections) * (len(mechanisms) + 1)
    log(
        f"{len(mechanisms)} mechanisms, {len(cells)} workloads, {runs} runs: "
        f"about {estimated_seconds(runs, args.duration) / 60:.0f} minutes"
    )
    with tempfile.TemporaryDirectory(prefix="autos-ablation-") as directory, contextlib.ExitStack() as stack:
        work = Path(directory)
        started = servers(args, mechanisms, work)
        for server in started.values():
            stack.callback(server.stop)
            server.launch()
        for server in started.values():
            server.wait_ready(timeout=180)
        log(f"{len(started)} servers ready; warming up and checking their answers")
        warm_and_check(started, cells)
        measured = measure(args, started, cells, work)
    table = rows(measured, mechanisms, cells, args.connections)
    seconds = time.perf_counter() - started_at
    text = (
        f"{markdown(table)}\n\n{summary(table)}\n\n"
        f"{args.rounds} rounds of {args.duration:g} s per run; {describe()}. Wall time {seconds:.0f} s.\n"
    )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / f"ablation-{stamp}.md").write_text(text)
    (args.output_dir / f"ablation-{stamp}.json").write_bytes(
        orjson.dumps(
            {
                "started_at": stamp,
                "seconds": round(seconds, 1),
                "settings": {
                    "rounds": args.rounds,
                    "duration_seconds": args.duration,
                    "connections": args.connections,
                    "workloads": args.workloads,
                    "variants": args.variants,
                    "server": describe(),
                },
                "machine": {**machine.machine_facts(), "load_average_end": machine.load_average()},
                "rows": table,
                "raw": measured,
            },
            option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
        )
    )
    print(text)
    log(f"wall time {seconds:.0f} s; wrote {args.output_dir}/ablation-{stamp}.md and .json")


if __name__ == "__main__":
    main()
