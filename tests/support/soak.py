"""Steady load against `autos-graph serve`: is memory flat and is every answer right?

    .venv/bin/python -m tests.support.soak [--seconds 60] [--rate 40] [--warmup 10] [--index autos-unified]

Starts the console script on a free loopback port (RATE_LIMIT_PER_MINUTE=0, COST_BUDGET_PER_MINUTE=0,
against ELASTICSEARCH_URL / REDIS_URL), warms it up, then sends a mix of
GraphQL and REST v1 requests at a steady rate (open loop: a slow answer does
not slow the sender down, up to a bound on requests in flight) and samples the
server's resident memory every second. RSS "before" is taken after the warm-up,
when caches, pools and the allocator have settled; growth beyond that over a
long run is a leak. An error is any non-200 answer, any GraphQL `errors`, or
no answer. Exits 1 when there were errors or RSS grew more than --max-growth-mb.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent / "autos-graph"
MAX_IN_FLIGHT = 64
MANUFACTURERS = ["Ford", "Chevrolet", "Porsche", "Toyota", "Dodge", "Volkswagen", "BMW", "Honda", "Jaguar"]
SEARCHES = ["mustang", "cam", "911", "beetle", "corv", "civic", "merc", "f-150", "mustnag", "e-type"]
SORTS = ["YEAR", "MODEL", "INSTANCE_COUNT", "MANUFACTURER"]

VEHICLES = """
query Vehicles($f: VehicleFilter, $s: [VehicleSort!], $n: Int, $a: String) {
  vehicles(filter: $f, sort: $s, first: $n, after: $a) {
    totalCount pageInfo { hasNextPage endCursor } nodes { vehicleId manufacturer model year group { count } }
  }
}"""
PICKER = """
query Picker($q: String) {
  manufacturerModelCombinations(search: $q, first: 20) {
    totalCount nodes { manufacturer count models { model count } vehicles(first: 2) { nodes { year } } }
  }
}"""
FACETS = """
query Facets($f: VehicleFilter) {
  facets(filter: $f) { totalCount manufacturers { value count } decades { value count } }
}"""
VEHICLE = """
query Vehicle($id: ID!, $n: Int) {
  vehicle(id: $id) {
    vehicleId instances(count: $n) { vin condition mileage estimatedValue options }
    otherYears(first: 5) { year } group { manufacturer models { model } }
  }
}"""
DECODE = "query Decode($v: String!) { decodeVin(vin: $v) { valid manufacturer modelYear } }"


@dataclass
class SoakReport:
    seconds: float
    rate: float
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    rss_max_mb: float = 0.0
    rss_samples_mb: list[float] = field(default_factory=list)

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb

    def summary(self) -> str:
        latency = ", ".join(f"{name} {value:.0f} ms" for name, value in self.latency_ms.items())
        return (
            f"{self.requests} requests in {self.seconds:g} s at {self.rate:g}/s, {self.errors} errors; "
            f"latency {latency}; RSS {self.rss_before_mb:.1f} MB after warm-up, {self.rss_after_mb:.1f} MB "
            f"at the end ({self.rss_growth_mb:+.1f} MB), max {self.rss_max_mb:.1f} MB"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                found.extend(_descendants(int(child)))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of the server and any worker processes it started, in MB."""
    total_kb = 0
    for each in _descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def _tail(path: Path) -> str:
    return path.read_text()[-3000:]


@contextlib.asynccontextmanager
async def serving(
    *, index: str, log_path: Path, env: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, int]]:
    """`autos-graph serve` on a free port: (base URL, pid)."""
    port = free_port()
    environment = {
        **os.environ,
        "ES_INDEX": index,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_LIMIT_PER_MINUTE": "0",
        "COST_BUDGET_PER_MINUTE": "0",
        "ACCESS_LOG": "false",
        "LOG_LEVEL": "WARNING",
        "WORKERS": "1",
        **(env or {}),
    }
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            str(BIN), "serve", env=environment, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(timeout=1) as probe:
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"the server exited:\n{_tail(log_path)}")
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"{base}/health/ready")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not become ready:\n{_tail(log_path)}")
                await asyncio.sleep(0.2)
        yield base, process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=25)
            except TimeoutError:
                process.kill()
                await process.wait()


class Mix:
    """The request mix: weighted GraphQL and REST operations with varied, realistic arguments."""

    def __init__(self, client: httpx.AsyncClient, *, seed: int) -> None:
        self._client = client
        self._random = random.Random(seed)
        self._ids: list[str] = []
        self._vins: list[str] = []
        self._cursors: list[str] = []
        self.operations: list[tuple[str, int, Callable[[], Awaitable[str]]]] = [
            ("graphql.vehicles", 4, self._vehicles),
            ("graphql.picker", 2, self._picker),
            ("graphql.facets", 2, self._facets),
            ("graphql.vehicle", 3, self._vehicle),
            ("graphql.decodeVin", 1, self._decode),
            ("rest.details", 3, self._details),
            ("rest.combinations", 2, self._combinations),
            ("rest.instances", 2, self._instances),
        ]

    async def prepare(self) -> None:
        response = await self._client.get("/api/v1/vehicles/details", params={"size": 100})
        response.raise_for_status()
        self._ids = [row["vehicle_id"] for row in response.json()["results"]]
        if not self._ids:
            raise RuntimeError("the index is empty: load the sample first")

    def pick(self) -> tuple[str, Callable[[], Awaitable[str]]]:
        name, _, call = self._random.choices(self.operations, weights=[w for _, w, _ in self.operations])[0]
        return name, call

    async def _graphql(self, query: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = await self._client.post("/graphql", json={"query": query, "variables": variables})
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:200]}", {}
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            return f"errors: {json.dumps(body['errors'])[:300]}", {}
        return "", body["data"]

    async def _rest(self, path: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = await self._client.get(path, params=params)
        if response.status_code != 200:
            return f"HTTP {response.status_code} {path}: {response.text[:200]}", {}
        body: dict[str, Any] = response.json()
        return "", body

    async def _vehicles(self) -> str:
        r = self._random
        variables: dict[str, Any] = {
            "n": r.choice([5, 10, 20, 50]),
            "s": [{"field": r.choice(SORTS), "direction": r.choice(["ASC", "DESC"])}],
        }
        if r.random() < 0.5:
            variables["f"] = {
                "manufacturer": r.choice(MANUFACTURERS),
                "yearMin": r.choice([1950, 1970, 1990]),
            }
        elif r.random() < 0.5:
            variables["f"] = {"search": r.choice(SEARCHES)}
            variables.pop("s")
        else:
            variables["s"] = None
            if self._cursors and r.random() < 0.7:
                variables["a"] = r.choice(self._cursors)
        problem, data = await self._graphql(VEHICLES, variables)
        cursor = data.get("vehicles", {}).get("pageInfo", {}).get("endCursor")
        if cursor and "a" not in variables and variables.get("s") is None and "f" not in variables:
            self._cursors = [*self._cursors[-50:], cursor]
        return problem

    async def _picker(self) -> str:
        search = self._random.choice([None, *SEARCHES, *MANUFACTURERS])
        return (await self._graphql(PICKER, {"q": search}))[0]

    async def _facets(self) -> str:
        r = self._random
        vehicle_filter = r.choice(
            [None, {"yearMin": r.choice([1930, 1960, 1980, 2000])}, {"search": r.choice(SEARCHES)}]
        )
        return (await self._graphql(FACETS, {"f": vehicle_filter}))[0]

    async def _vehicle(self) -> str:
        variables = {"id": self._random.choice(self._ids), "n": self._random.randint(1, 20)}
        problem, data = await self._graphql(VEHICLE, variables)
        for instance in (data.get("vehicle") or {}).get("instances", [])[:2]:
            self._vins = [*self._vins[-100:], instance["vin"]]
        return problem

    async def _decode(self) -> str:
        vin = self._random.choice(self._vins) if self._vins else "1FAFP40432F000000"
        return (await self._graphql(DECODE, {"v": vin}))[0]

    async def _details(self) -> str:
        r = self._random
        params: dict[str, Any] = {"page": r.randint(1, 5), "size": r.choice([10, 20, 50])}
        if r.random() < 0.6:
            params["manufacturer"] = r.choice(MANUFACTURERS)
        if r.random() < 0.3:
            params["sortBy"], params["sortOrder"] = r.choice(["year", "model", "instance_count"]), "desc"
        return (await self._rest("/api/v1/vehicles/details", params))[0]

    async def _combinations(self) -> str:
        params = {"search": self._random.choice(["", *SEARCHES[:5]]), "page": 1, "size": 20}
        return (await self._rest("/api/v1/manufacturer-model-combinations", params))[0]

    async def _instances(self) -> str:
        vehicle_id = self._random.choice(self._ids)
        path = f"/api/v1/vehicles/{vehicle_id}/instances"
        return (await self._rest(path, {"count": self._random.randint(1, 20)}))[0]


async def _drive(
    mix: Mix, *, seconds: float, rate: float, on_done: Callable[[str, float, str], None]
) -> None:
    """Start one request every 1/rate s for `seconds`, keeping at most MAX_IN_FLIGHT open."""
    slots = asyncio.Semaphore(MAX_IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()

    async def one(name: str, call: Callable[[], Awaitable[str]]) -> None:
        started = time.perf_counter()
        try:
            problem = await call()
        except (httpx.HTTPError, ValueError, KeyError) as error:
            problem = f"{type(error).__name__}: {error}"
        finally:
            slots.release()
        on_done(name, time.perf_counter() - started, problem)

    start = time.monotonic()
    sent = 0
    while (now := time.monotonic()) < start + seconds:
        due = start + sent / rate
        if due > now:
            await asyncio.sleep(due - now)
        await slots.acquire()
        name, call = mix.pick()
        task = asyncio.create_task(one(name, call))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    if tasks:
        await asyncio.gather(*tasks)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


async def soak(
    *, base: str, pid: int, seconds: float, rate: float, warmup: float, seed: int = 7
) -> SoakReport:
    report = SoakReport(seconds=seconds, rate=rate)
    latencies: list[float] = []
    kinds: Counter[str] = Counter()

    def record(name: str, elapsed: float, problem: str) -> None:
        report.requests += 1
        kinds[name] += 1
        latencies.append(elapsed)
        if problem:
            report.errors += 1
            if len(report.error_samples) < 10:
                report.error_samples.append(f"{name}: {problem}")

    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
        mix = Mix(client, seed=seed)
        await mix.prepare()
        await _drive(mix, seconds=warmup, rate=rate, on_done=lambda *_: None)
        report.rss_before_mb = rss_mb(pid)
        report.rss_samples_mb.append(round(report.rss_before_mb, 1))

        async def sample() -> None:
            while True:
                await asyncio.sleep(1.0)
                report.rss_samples_mb.append(round(rss_mb(pid), 1))

        sampler = asyncio.create_task(sample())
        try:
            await _drive(mix, seconds=seconds, rate=rate, on_done=record)
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
    report.rss_after_mb = rss_mb(pid)
    report.rss_max_mb = max([*report.rss_samples_mb, report.rss_after_mb])
    report.by_kind = dict(sorted(kinds.items()))
    report.latency_ms = {
        name: round(_percentile(latencies, share) * 1000, 1)
        for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
    }
    return report


async def run(
    *,
    index: str,
    seconds: float,
    rate: float,
    warmup: float,
    log_path: Path,
    env: dict[str, str] | None = None,
) -> SoakReport:
    async with serving(index=index, log_path=log_path, env=env) as (base, pid):
        return await soak(base=base, pid=pid, seconds=seconds, rate=rate, warmup=warmup)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="measured run (default 60)")
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second (default 40)")
    parser.add_argument("--warmup", type=float, default=10.0, help="unmeasured warm-up seconds (default 10)")
    parser.add_argument("--index", default=os.environ.get("ES_INDEX", "autos-unified"))
    parser.add_argument("--max-growth-mb", type=float, default=30.0)
    parser.add_argument("--log", type=Path, default=Path("soak-server.log"), help="the server's output")
    parser.add_argument("--json", type=Path, help="also write the report here")
    arguments = parser.parse_args()
    report = asyncio.run(
        run(
            index=arguments.index,
            seconds=arguments.seconds,
            rate=arguments.rate,
            warmup=arguments.warmup,
            log_path=arguments.log,
        )
    )
    print(f"[soak] {report.summary()}")
    for sample in report.error_samples:
        print(f"[soak] error: {sample}")
    if arguments.json:
        arguments.json.write_text(
            json.dumps({**asdict(report), "rss_growth_mb": report.rss_growth_mb}, indent=2)
        )
    if report.errors or report.rss_growth_mb > arguments.max_growth_mb:
        sys.exit(1)


if __name__ == "__main__":
    main()
