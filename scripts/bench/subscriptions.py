"""Subscribers held and swaps heard: two replicas as deployed, each holding 100 catalogReleases subscriptions.

    .venv/bin/python -m scripts.bench.subscriptions [--per-replica 100] [--swaps 5] [--index NAME]

Two `autos-graph serve` processes with k8s/configmap.yaml's values
(scripts/bench/deployment.py) serve a small index of their own (the sample
catalog, released by this script; `--index` names it, default
`autos-graph-subscriptions-bench`, dropped at the end). Each replica gets
`--per-replica` subscribers, half over graphql-transport-ws and half over
Server-Sent Events, spread over ten loopback addresses so no client passes the
deployed SUBSCRIPTIONS_PER_CLIENT. Then `autos-graph data` commands make the
swaps, in processes of their own as an operator would (one `release --sample`,
then `rollback --to` back and forth); for each, every subscriber's delay is
the time it received the swap minus the time the command logged `alias
swapped` (right after Elasticsearch acknowledged the `_aliases` call). The
resident set size of each server process is read before the subscribers
come, once they are all held, and at its peak. Prints a table and one JSON
line; docs/subscriptions.md keeps the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from elasticsearch import AsyncElasticsearch
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from datasources.catalog.dataset import iter_records
from datasources.elastic.index_schema import drop_index
from datasources.releases.release import release
from scripts.bench.deployment import add_service_arguments, deployed_environment
from scripts.bench.server import RssSampler, ServerProcess, cli_command, free_port, serve_command

PROTOCOL = Subprotocol("graphql-transport-ws")
QUERY = "subscription { catalogReleases(includeLive: true) { generation kind } }"
SOURCES = [f"127.0.0.{n}" for n in range(10, 20)]
HEARD_TIMEOUT_SECONDS = 30.0
MB = 2**20


@dataclass
class Subscriber:
    replica: str
    transport: str
    heard: dict[str, float] = field(default_factory=dict)
    live: asyncio.Event = field(default_factory=asyncio.Event)

    def hear(self, body: dict[str, Any]) -> None:
        generation = body["data"]["catalogReleases"]["generation"]
        self.heard.setdefault(generation, time.time())
        self.live.set()


async def over_websocket(base: str, source: str, subscriber: Subscriber) -> None:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL], local_addr=(source, 0), open_timeout=60) as websocket:
        await websocket.send(json.dumps({"type": "connection_init"}))
        await websocket.recv()
        await websocket.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": QUERY}}))
        async for message in websocket:
            parsed = json.loads(message)
            if parsed["type"] == "next":
                subscriber.hear(parsed["payload"])


async def over_event_stream(base: str, source: str, subscriber: Subscriber) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with (
        httpx.AsyncClient(transport=transport, timeout=None) as client,
        client.stream(
            "POST", f"{base}/graphql/stream", json={"query": QUERY}, headers={"accept": "text/event-stream"}
        ) as response,
    ):
        if response.status_code != 200:
            raise RuntimeError(f"SSE subscription refused: {response.status_code} {await response.aread()!r}")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                subscriber.hear(json.loads(line.removeprefix("data: ")))


@contextlib.asynccontextmanager
async def subscribed(bases: list[str], per_replica: int) -> AsyncIterator[list[Subscriber]]:
    subscribers: list[Subscriber] = []
    tasks = []
    for base in bases:
        for number in range(per_replica):
            transport = "websocket" if number % 2 == 0 else "sse"
            subscriber = Subscriber(replica=base, transport=transport)
            subscribers.append(subscriber)
            run = over_websocket if transport == "websocket" else over_event_stream
            tasks.append(asyncio.create_task(run(base, SOURCES[number % len(SOURCES)], subscriber)))
    try:
        waiting: asyncio.Future[Any] = asyncio.ensure_future(
            asyncio.gather(*(s.live.wait() for s in subscribers))
        )
        done, _ = await asyncio.wait([waiting, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiting:
                task.result()  # a subscriber that ended before it was live: say why
        if not waiting.done():
            raise RuntimeError("the subscribers were not all live within 120 s")
        yield subscribers
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def swap(index: str, env: dict[str, str], *arguments: str) -> tuple[str, float]:
    """Run one `autos-graph data` command; the generation it swapped in and when it logged the swap.

    Awaited as a subprocess, so the subscribers in this loop keep receiving (and time-stamping)
    while the command is still finishing.
    """
    process = await asyncio.create_subprocess_exec(
        *cli_command(),
        "data",
        *arguments,
        env={**env, "ES_INDEX": index, "LOG_LEVEL": "INFO"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await process.communicate())[0].decode()
    if process.returncode != 0:
        raise RuntimeError(f"`autos-graph data {' '.join(arguments)}` failed:\n{output}")
    for line in output.splitlines():
        if line.startswith("{") and '"alias swapped"' in line:
            record = json.loads(line)
            swapped_at = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).timestamp()
            return str(record["context"]["to"]), swapped_at
    raise RuntimeError(f"no `alias swapped` line from {arguments}:\n{output}")


async def heard_by_all(subscribers: list[Subscriber], generation: str) -> None:
    deadline = time.monotonic() + HEARD_TIMEOUT_SECONDS
    while any(generation not in s.heard for s in subscribers):
        if time.monotonic() > deadline:
            missing = sum(generation not in s.heard for s in subscribers)
            raise RuntimeError(f"{missing} subscribers did not hear {generation}")
        await asyncio.sleep(0.05)


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MB


@contextlib.contextmanager
def replicas(args: argparse.Namespace, work: Path) -> Iterator[list[ServerProcess]]:
    with contextlib.ExitStack() as stack:
        servers = []
        for number in range(2):
            port = free_port()
            env = deployed_environment(
                elasticsearch_url=args.elasticsearch_url,
                redis_url=args.redis_url,
                index=args.index,
                port=port,
            )
            server = ServerProcess(
                name=f"replica-{number}",
                command=serve_command(),
                env=env,
                port=port,
                ready_path="/health/ready",
                log_dir=work,
            )
            stack.enter_context(server)
            servers.append(server)
        yield servers


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    client = AsyncElasticsearch(args.elasticsearch_url, request_timeout=60)
    await drop_index(client, alias=args.index)
    first = await release(client, alias=args.index, source="sample", records=iter_records("sample"))
    cli_env = {**os.environ, "ELASTICSEARCH_URL": args.elasticsearch_url, "REDIS_URL": args.redis_url}
    report: dict[str, Any] = {"per_replica": args.per_replica, "replicas": {}}
    try:
        with tempfile.TemporaryDirectory() as work, replicas(args, Path(work)) as servers:
            bases = [server.base_url for server in servers]
            pids = {server.base_url: server.worker_pids()[0] for server in servers}
            before = {base: rss_mb(pid) for base, pid in pids.items()}
            with RssSampler(list(pids.values())) as sampler:
                async with subscribed(bases, args.per_replica) as subscribers:
                    await asyncio.sleep(2)  # settled
                    held = {base: rss_mb(pid) for base, pid in pids.items()}
                    delays: dict[str, list[float]] = {base: [] for base in bases}
                    swaps = []
                    commands: list[tuple[str, ...]] = [("release", "--sample")]
                    generations = [first.generation]
                    for number in range(args.swaps):
                        if number > 0:
                            commands.append(("rollback", "--to", generations[-2]))
                        for subscriber in subscribers:
                            # Generations come back (rollback --to): only this swap's arrival counts.
                            subscriber.heard.clear()
                        generation, swapped_at = await swap(args.index, cli_env, *commands[-1])
                        generations.append(generation)
                        await heard_by_all(subscribers, generation)
                        for subscriber in subscribers:
                            delays[subscriber.replica].append(subscriber.heard[generation] - swapped_at)
                        swaps.append({"command": " ".join(commands[-1]), "generation": generation})
            for base in bases:
                values = sorted(delays[base])
                report["replicas"][base] = {
                    "rss_mb_before": round(before[base], 1),
                    "rss_mb_held": round(held[base], 1),
                    "rss_mb_peak": round(sampler.peak[pids[base]] / MB, 1),
                    "delay_p50_s": round(statistics.median(values), 3),
                    "delay_max_s": round(values[-1], 3),
                    "delays": len(values),
                }
            report["swaps"] = swaps
    finally:
        await drop_index(client, alias=args.index)
        await client.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_service_arguments(parser)
    parser.set_defaults(index="autos-graph-subscriptions-bench")
    parser.add_argument("--per-replica", type=int, default=100)
    parser.add_argument("--swaps", type=int, default=5)
    args = parser.parse_args()
    report = asyncio.run(measure(args))
    print("| replica | subscribers | RSS before | RSS held | RSS peak | delay p50 | delay max |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for base, row in report["replicas"].items():
        print(
            f"| {base} | {args.per_replica} | {row['rss_mb_before']} MB | {row['rss_mb_held']} MB | "
            f"{row['rss_mb_peak']} MB | {row['delay_p50_s']} s | {row['delay_max_s']} s |"
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
