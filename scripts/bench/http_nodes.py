"""The lean Elasticsearch node against elastic-transport's aiohttp node, side by side.

    .venv/bin/python -m scripts.bench.http_nodes [--rounds 7] [--only by_ids ...] [--connections 1 16]

Two `autos-graph serve` processes as k8s/configmap.yaml deploys them
(scripts/bench/deployment.py), one with ES_HTTP_NODE=lean and one with
ES_HTTP_NODE=aiohttp (each with a twin on a Redis that remembers nothing, for
the uncached workloads), answer the same workloads under wrk in alternating
rounds (the order flips every round). The verdict per workload is the median of
the per-round ratios, so the drift of a shared machine between minutes favours
neither node. Needs the benchmark index (`make bench` loads it; ES_INDEX or
--index names it). Hold /tmp/autos-bench.lock while it runs on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from scripts.bench.deployment import add_service_arguments, deployed_environment
from scripts.bench.server import ServerProcess, base_environment, free_port, python_command, serve_command
from scripts.bench.workloads import Workload, index_sample_ids, workloads
from scripts.bench.wrk import ensure_wrk, lua_script, run_wrk

NODES = ("lean", "aiohttp")
DEFAULT_WORKLOADS = ("filtered_search", "by_ids", "rest_details", "picker_uncached")


@contextlib.contextmanager
def servers(args: argparse.Namespace, work: Path) -> Iterator[dict[tuple[str, str], ServerProcess]]:
    """An API server per (node, cache mode); the uncached ones use a Redis that remembers nothing."""
    with contextlib.ExitStack() as stack:
        null_port = free_port()
        stack.enter_context(
            ServerProcess(
                name="null-redis",
                command=python_command("scripts.bench.null_redis", "--port", str(null_port)),
                env=base_environment(),
                port=null_port,
                ready_path=None,
                log_dir=work,
            )
        )
        started: dict[tuple[str, str], ServerProcess] = {}
        for node in NODES:
            for mode, redis_url in (
                ("cached", args.redis_url),
                ("uncached", f"redis://127.0.0.1:{null_port}/0"),
            ):
                port = free_port()
                metrics = work / f"metrics-{node}-{mode}"
                metrics.mkdir()
                env = deployed_environment(
                    elasticsearch_url=args.elasticsearch_url,
                    redis_url=redis_url,
                    index=args.index,
                    port=port,
                    ES_HTTP_NODE=node,
                    PROMETHEUS_MULTIPROC_DIR=str(metrics),
                )
                started[(node, mode)] = stack.enter_context(
                    ServerProcess(
                        name=f"{node}-{mode}",
                        command=serve_command(),
                        env=env,
                        port=port,
                        ready_path="/health/ready",
                        log_dir=work,
                    )
                )
        yield started


def compare(
    workload: Workload,
    started: dict[tuple[str, str], ServerProcess],
    *,
    work: Path,
    rounds: int,
    connections: int,
    seconds: float,
) -> str:
    wrk = ensure_wrk()
    body_path = None
    if workload.body:
        body_path = work / f"{workload.name}.body"
        body_path.write_bytes(workload.body)
    script = work / f"{workload.name}.lua"
    script.write_text(lua_script(method=workload.method, headers=workload.headers, body_path=body_path))
    url = {node: started[(node, workload.cache)].base_url + workload.path for node in NODES}
    for node in NODES:  # warm-up
        run_wrk(binary=wrk, url=url[node], script=script, connections=8, seconds=1)
    p50: dict[str, list[float]] = {node: [] for node in NODES}
    rate: dict[str, list[float]] = {node: [] for node in NODES}
    for number in range(rounds):
        for node in NODES if number % 2 == 0 else tuple(reversed(NODES)):
            result = run_wrk(
                binary=wrk, url=url[node], script=script, connections=connections, seconds=seconds
            )
            if result.errors:
                raise RuntimeError(f"{workload.name} on the {node} node: {result.errors} errors")
            p50[node].append(result.p50_ms)
            rate[node].append(result.requests_per_second)
    p50_gain = statistics.median(a / lean for lean, a in zip(p50["lean"], p50["aiohttp"], strict=True))
    rate_gain = statistics.median(lean / a for lean, a in zip(rate["lean"], rate["aiohttp"], strict=True))
    return (
        f"| {workload.title} | {connections} "
        f"| {statistics.median(p50['lean']):.2f} | {statistics.median(p50['aiohttp']):.2f} "
        f"| {p50_gain:.2f} × "
        f"| {statistics.median(rate['lean']):,.0f} | {statistics.median(rate['aiohttp']):,.0f} "
        f"| {rate_gain:.2f} × |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=2.0, help="per node per round")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--only", nargs="+", default=list(DEFAULT_WORKLOADS))
    args = parser.parse_args(argv)
    ids = index_sample_ids(elasticsearch_url=args.elasticsearch_url, index=args.index)
    chosen = [w for w in workloads(sample_ids=ids) if w.name in args.only]
    print(
        "| workload | conns | lean p50 ms | aiohttp p50 ms | p50 gain | lean req/s | aiohttp req/s | gain |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="autos-nodes-") as directory:
        work = Path(directory)
        with servers(args, work) as started:
            for workload in chosen:
                for connections in args.connections:
                    line = compare(
                        workload,
                        started,
                        work=work,
                        rounds=args.rounds,
                        connections=connections,
                        seconds=args.seconds,
                    )
                    print(line, flush=True)


if __name__ == "__main__":
    main()
