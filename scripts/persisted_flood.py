"""The persisted-document flood: many registrations of large documents from many addresses, as deployed.

    .venv/bin/python -m scripts.persisted_flood [--registrations 10000] [--addresses 50] [--size 60000]

What it starts, and stops: two redis-servers with the arguments k8s/redis.yaml
(the caches: maxmemory, volatile-lru) and k8s/redis-limits.yaml (the limiter's:
noeviction) give them, and two replicas of `autos-graph serve` with the values
k8s/configmap.yaml deploys (scripts/bench/deployment.py), the rate limit
included, behind a "proxy" they trust (TRUSTED_PROXIES=127.0.0.1/32), so each
flooding address is one `X-Forwarded-For`. One replica takes the flood; the
other a steady stream of ordinary cached GET queries from a few well-behaved
clients, as a deployment's second pod would, sharing the same Redis.

What it reports (JSON on stdout, docs/security.md reads it): the cache Redis'
`used_memory` and the persisted documents' own account before, at the peak
during, and after; the statuses of the flood; per flooding address, any answer
other than 429 after its first 429 while its minute was not over; the ordinary
stream's answer-cache hit ratio on its replica (from its /metrics); and every
5xx anywhere. tests/integration/test_persisted_flood.py runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis.asyncio as redis
import yaml

from scripts.bench.deployment import configmap_values, deployed_environment
from scripts.bench.server import ServerProcess, serve_command

ROOT = Path(__file__).resolve().parents[1]
# The flood's clients: documentation addresses, one X-Forwarded-For each.
FLOOD_NETWORK = "198.51.100.{}"
STEADY_NETWORK = "192.0.2.{}"
# Ordinary cached reads, as a picker page asks them.
STEADY_QUERIES = (
    "{ facets { totalCount bodyClasses { value count } } }",
    "{ manufacturerModelCombinations(first: 5) { totalCount nodes { manufacturer count } } }",
    '{ vehicles(first: 5, filter: {manufacturer: "Ford"}) { totalCount nodes { model year } } }',
    "{ facets(filter: {yearMin: 1960, yearMax: 1970}) { totalCount } }",
)
WINDOW_SECONDS = 60.0


@dataclass
class FloodOptions:
    registrations: int = 10_000
    addresses: int = 50
    size: int = 60_000
    # Steady clients, each asking one query a second (well under the deployed limit).
    steady_clients: int = 5
    index: str = "autos-unified"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    cache_port: int = 6383
    limits_port: int = 6384
    flood_port: int = 18300
    steady_port: int = 18301
    # Where the replicas' logs are kept (a temporary directory when unset).
    log_dir: str | None = None
    # Deployed settings to change (e.g. a smaller PERSISTED_DOCUMENTS_MAX_BYTES for a short run).
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Answered:
    """One flood request: its address, when it was sent and answered (s into the flood), what came back."""

    address: int
    sent: float
    answered: float
    status: int
    code: str | None


@dataclass
class MemorySample:
    used_memory: int
    documents: int
    document_bytes: int


@dataclass
class FloodReport:
    options: dict[str, Any]
    bound_bytes: int
    bound_count: int
    memory_before: MemorySample
    memory_peak: MemorySample
    memory_after: MemorySample
    flood_seconds: float
    flood_statuses: dict[str, int]
    flood_codes: dict[str, int]
    # Answers other than 429 to an address after its first 429, within its first minute.
    admitted_after_limit: int
    steady_requests: int
    steady_failures: int
    hit_ratio: float
    server_errors: int

    def within_bound(self) -> bool:
        return (
            self.memory_peak.document_bytes <= self.bound_bytes
            and self.memory_peak.documents <= self.bound_count
        )


def redis_arguments(manifest: str) -> list[str]:
    """The redis-server arguments of the Deployment in a k8s/ manifest."""
    for document in yaml.safe_load_all((ROOT / "k8s" / manifest).read_text()):
        if document and document["kind"] == "Deployment":
            [container] = document["spec"]["template"]["spec"]["containers"]
            return [str(argument) for argument in container["args"]]
    raise ValueError(f"k8s/{manifest} has no Deployment")


@contextmanager
def redis_server(*, port: int, manifest: str, directory: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is missing: apt-get install redis-server")
    arguments = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(directory),
        *redis_arguments(manifest),
    ]
    with (directory / f"redis-{port}.log").open("ab") as log:
        process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
            != b"PONG"
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server on {port} did not start: {(directory / f'redis-{port}.log').read_text()}"
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def flood_document(number: int, size: int) -> tuple[str, str]:
    """A valid document of exactly `size` characters, nearly all comment: a new hash every time."""
    head = f"query Flood{number} {{ __typename }}\n#"
    text = head + "x" * max(0, size - len(head))
    return text, hashlib.sha256(text.encode()).hexdigest()


class MemoryWatch:
    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self._client = client
        self._tag = f"{namespace}:{{apq}}"
        self.peak: MemorySample | None = None

    async def sample(self) -> MemorySample:
        used = int((await self._client.info("memory"))["used_memory"])
        documents = int(await self._client.zcard(f"{self._tag}:last-use"))
        document_bytes = int(await self._client.get(f"{self._tag}:bytes") or 0)
        taken = MemorySample(used_memory=used, documents=documents, document_bytes=document_bytes)
        if self.peak is None:
            self.peak = taken
        else:
            self.peak = MemorySample(
                used_memory=max(self.peak.used_memory, used),
                documents=max(self.peak.documents, documents),
                document_bytes=max(self.peak.document_bytes, document_bytes),
            )
        return taken

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.sample()
            await asyncio.sleep(0.25)


async def flood(base_url: str, options: FloodOptions) -> tuple[list[Answered], float]:
    """Every registration's answer, and the time the flood took.

    Each address is one client sending its share one request after another, all addresses at once.
    """
    results: list[Answered] = []
    started = time.monotonic()

    async def attacker(client: httpx.AsyncClient, address: int) -> None:
        for number in range(address - 1, options.registrations, options.addresses):
            text, sha256 = flood_document(number, options.size)
            body = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}}
            sent = time.monotonic() - started
            try:
                response = await client.post(
                    "/graphql", content=orjson.dumps(body), headers={
                        "content-type": "application/json",
                        "x-forwarded-for": FLOOD_NETWORK.format(address),
                    },
                )  # fmt: skip
            except httpx.TransportError as error:
                # Reported (status 0), not fatal: the next request opens a new connection.
                results.append(Answered(address, sent, time.monotonic() - started, 0, type(error).__name__))
                continue
            code = None
            if response.headers.get("content-type", "").startswith("application/"):
                errors = response.json().get("errors") or [{}]
                code = errors[0].get("extensions", {}).get("code")
            results.append(Answered(address, sent, time.monotonic() - started, response.status_code, code))

    limits = httpx.Limits(max_connections=options.addresses)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        await asyncio.gather(*(attacker(client, address) for address in range(1, options.addresses + 1)))
    return results, time.monotonic() - started


async def steady(base_url: str, options: FloodOptions, stop: asyncio.Event) -> tuple[int, int, int]:
    """Requests, failures (non-200 or errors) and 5xx of the well-behaved clients until `stop`."""
    counts = Counter[str]()

    async def one_client(number: int) -> None:
        headers = {"x-forwarded-for": STEADY_NETWORK.format(number + 1), "accept": "application/json"}
        async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers) as client:
            turn = number
            while not stop.is_set():
                query = STEADY_QUERIES[turn % len(STEADY_QUERIES)]
                turn += 1
                response = await client.get("/graphql", params={"query": query})
                counts["requests"] += 1
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                if response.status_code != 200 or "errors" in response.json():
                    counts["failures"] += 1
                await asyncio.sleep(1.0)

    await asyncio.gather(*(one_client(number) for number in range(options.steady_clients)))
    return counts["requests"], counts["failures"], counts["server_errors"]


async def answer_lookups(base_url: str) -> dict[tuple[str, str], float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    lookups: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("autos_graph_answer_cache_lookups_total{"):
            labels, value = line.rsplit(" ", 1)
            level = labels.split('level="')[1].split('"')[0]
            result = labels.split('result="')[1].split('"')[0]
            lookups[(level, result)] = float(value)
    return lookups


def admitted_after_limit(results: list[Answered]) -> int:
    """Answers other than 429 to an address after its first 429, while its first minute was surely not over.

    The server decided each request between its sending and its answer, so an answer given
    before a minute had passed since the address's first request was sent was decided within
    the minute its first admission opened: such an answer must be 429.
    """
    first_sent: dict[int, float] = {}
    limited_at: dict[int, float] = {}
    leaks = 0
    for answer in sorted(results, key=lambda answer: answer.sent):
        first_sent.setdefault(answer.address, answer.sent)
        if answer.status == 429:
            limited_at[answer.address] = min(limited_at.get(answer.address, answer.answered), answer.answered)
        elif (
            answer.address in limited_at
            and answer.sent > limited_at[answer.address]
            and answer.answered - first_sent[answer.address] < WINDOW_SECONDS
        ):
            leaks += 1
    return leaks


async def measure(options: FloodOptions, *, cache_url: str, limits_url: str) -> FloodReport:
    env_changes = {
        "RATE_LIMIT_PER_MINUTE": configmap_values()["RATE_LIMIT_PER_MINUTE"],
        "RATE_LIMIT_REDIS_URL": limits_url,
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "SHUTDOWN_DELAY_SECONDS": "0",
        **options.changes,
    }
    deployed = {**configmap_values(), **env_changes}
    namespace = f"autos-graph:{options.index}"
    with tempfile.TemporaryDirectory(prefix="persisted-flood-") as scratch, ExitStack() as servers:
        logs = options.log_dir or scratch
        replicas = []
        for name, port in (("flood", options.flood_port), ("steady", options.steady_port)):
            env = deployed_environment(
                elasticsearch_url=options.elasticsearch_url,
                redis_url=cache_url,
                index=options.index,
                port=port,
                **env_changes,
            )
            replica = ServerProcess(
                name=name,
                command=serve_command(),
                env=env,
                port=port,
                ready_path="/health/ready",
                log_dir=Path(logs),
            )
            replicas.append(servers.enter_context(replica))
        flooded, steadied = replicas
        admin = redis.Redis.from_url(cache_url)
        try:
            watch = MemoryWatch(admin, namespace)
            before = await watch.sample()
            stop = asyncio.Event()
            steady_task = asyncio.create_task(steady(steadied.base_url, options, stop))
            await asyncio.sleep(2.0)  # the steady stream's first misses, before the flood
            lookups_before = await answer_lookups(steadied.base_url)
            watcher = asyncio.create_task(watch.run(stop))
            results, seconds = await flood(flooded.base_url, options)
            lookups_after = await answer_lookups(steadied.base_url)
            stop.set()
            await watcher
            requests, failures, steady_errors = await steady_task
            after = await watch.sample()
        finally:
            await admin.aclose()
    hits = sum(
        lookups_after.get((level, "hit"), 0) - lookups_before.get((level, "hit"), 0) for level in ("l1", "l2")
    )
    asked = sum(
        lookups_after.get(("l1", result), 0) - lookups_before.get(("l1", result), 0)
        for result in ("hit", "miss")
    )
    statuses = Counter(str(answer.status) for answer in results)
    assert watch.peak is not None
    return FloodReport(
        options=asdict(options),
        bound_bytes=int(deployed["PERSISTED_DOCUMENTS_MAX_BYTES"]),
        bound_count=int(deployed["PERSISTED_DOCUMENTS_MAX_COUNT"]),
        memory_before=before,
        memory_peak=watch.peak,
        memory_after=after,
        flood_seconds=round(seconds, 2),
        flood_statuses=dict(sorted(statuses.items())),
        flood_codes=dict(Counter(str(answer.code) for answer in results)),
        admitted_after_limit=admitted_after_limit(results),
        steady_requests=requests,
        steady_failures=failures,
        hit_ratio=round(hits / asked, 4) if asked else 0.0,
        server_errors=sum(1 for answer in results if answer.status >= 500) + steady_errors,
    )


def run(options: FloodOptions) -> FloodReport:
    with tempfile.TemporaryDirectory(prefix="persisted-flood-redis-") as directory, ExitStack() as stack:
        cache = stack.enter_context(
            redis_server(port=options.cache_port, manifest="redis.yaml", directory=Path(directory))
        )
        limits = stack.enter_context(
            redis_server(port=options.limits_port, manifest="redis-limits.yaml", directory=Path(directory))
        )
        return asyncio.run(measure(options, cache_url=cache, limits_url=limits))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = FloodOptions()
    for name in (
        "registrations",
        "addresses",
        "size",
        "steady_clients",
        "cache_port",
        "limits_port",
    ):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--index", default=defaults.index, help="an index with data (make load-sample)")
    parser.add_argument("--elasticsearch-url", default=defaults.elasticsearch_url)
    parser.add_argument("--log-dir", help="keep the replicas' logs here")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="change a deployed setting"
    )
    arguments = parser.parse_args(argv)
    changes = dict(item.split("=", 1) for item in arguments.set)
    options = FloodOptions(
        **{key: value for key, value in vars(arguments).items() if key != "set"}, changes=changes
    )
    report = run(options)
    sys.stdout.write(orjson.dumps(asdict(report), option=orjson.OPT_INDENT_2).decode() + "\n")
    return (
        0 if report.within_bound() and report.server_errors == 0 and report.admitted_after_limit == 0 else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
