"""What logging, metrics, rate limiting and the cost budget cost per request, measured in one run.

    .venv/bin/python -m scripts.bench.ops_overhead [--requests 4000] [--rounds 5]

Each configuration is the real app (create_app, lifespan, real Redis for the
limiter) called in-process through ASGI on uvloop, without a socket, so the
numbers are the middleware's own cost and not the network's. Configurations
are interleaved round by round and the median round is reported, so drift of
the machine hits all of them alike. Two requests are measured: an unmatched
path (Starlette's cheapest answer, so the overhead stands out) and a minimal
GraphQL operation (to set it against real work). Access lines go through the
real JSON formatter to a temporary file, which costs what a pod's log does
(`make bench` and the ablation measure the same costs on a served worker).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
import uvloop
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from graph.app import create_app
from graph.observability.logging_setup import JsonFormatter
from graph.settings import Settings, load_settings

ES_URL = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
KEY_PREFIX = f"autos-graph-overhead:{uuid.uuid4().hex}"
GRAPHQL_BODY = b'{"query": "query Overhead { __typename }"}'


@dataclass(frozen=True)
class Config:
    name: str
    overrides: dict[str, object]


OFF: dict[str, object] = {
    "access_log": False,
    "metrics_enabled": False,
    "rate_limit_per_minute": 0,
    "cost_budget_per_minute": 0,
}
# A limit no run reaches: every request is checked in Redis and allowed.
LIMIT: dict[str, object] = {"rate_limit_per_minute": 10**9}
# A budget no run spends: every operation is charged, settled and reported in `extensions.cost`.
BUDGET: dict[str, object] = {"cost_budget_per_minute": 10**9}
CONFIGS = [
    Config("none (baseline)", OFF),
    Config("access log", {**OFF, "access_log": True}),
    Config("metrics", {**OFF, "metrics_enabled": True}),
    Config("rate limit (Redis)", {**OFF, **LIMIT}),
    Config("rate limit (in-memory fallback)", {**OFF, **LIMIT, "redis_url": None}),
    Config("cost budget (Redis)", {**OFF, **BUDGET}),
    Config("all four (Redis)", {"access_log": True, "metrics_enabled": True, **LIMIT, **BUDGET}),
]


def settings_for(config: Config) -> Settings:
    values: dict[str, object] = {
        "elasticsearch_url": ES_URL,
        "redis_url": REDIS_URL,
        "es_index": "autos-graph-overhead",
        "environment": "production",
        "rate_limit_key_prefix": KEY_PREFIX,
        **config.overrides,
    }
    return load_settings(**values)


# Requests come from many addresses, as in production: each limiter key then
# holds a realistic number of entries instead of the whole run's.
CLIENTS = [f"198.51.{n // 250}.{n % 250}" for n in range(1000)]


def request(method: str, path: str, body: bytes) -> Callable[[ASGIApp, int], Coroutine[Any, Any, int]]:
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    if body:
        headers.append((b"content-length", str(len(body)).encode()))

    async def call(app: ASGIApp, number: int) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": (CLIENTS[number % len(CLIENTS)], 40000),
            "server": ("127.0.0.1", 3000),
        }
        sent = False
        status = 0

        async def receive() -> Message:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # a client that never disconnects
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return call


REQUESTS = {
    "GET unmatched path (404)": (request("GET", "/overhead-probe", b""), 404),
    "POST /graphql { __typename }": (request("POST", "/graphql", GRAPHQL_BODY), 200),
}


async def mean_microseconds(
    app: ASGIApp, call: Callable[[ASGIApp, int], Coroutine[Any, Any, int]], expected: int, count: int
) -> float:
    started = time.perf_counter()
    for number in range(count):
        status = await call(app, number)
        if status != expected:
            raise SystemExit(f"unexpected status {status}")
    return (time.perf_counter() - started) / count * 1e6


Results = dict[str, dict[str, list[float]]]


async def measure(count: int, rounds: int) -> Results:
    apps: dict[str, ASGIApp] = {}
    managers = []
    for config in CONFIGS:
        manager = LifespanManager(create_app(settings_for(config)), startup_timeout=60)
        apps[config.name] = (await manager.__aenter__()).app
        managers.append(manager)
    try:
        results: Results = {label: {config.name: [] for config in CONFIGS} for label in REQUESTS}
        for call, expected in REQUESTS.values():
            for app in apps.values():
                await mean_microseconds(app, call, expected, 200)  # warm caches and connections
        # Every round measures every request type under every configuration.
        for _ in range(rounds):
            for label, (call, expected) in REQUESTS.items():
                for name, app in apps.items():
                    results[label][name].append(await mean_microseconds(app, call, expected, count))
        return results
    finally:
        for manager in reversed(managers):
            await manager.__aexit__(None, None, None)
        client = redis.Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"{KEY_PREFIX}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def report(results: Results, count: int, rounds: int) -> str:
    lines = [
        f"{count} requests x {rounds} rounds per configuration, in-process ASGI on uvloop;",
        "median round (and the fastest round, which other load on the machine disturbs least)",
        "",
    ]
    for label, by_config in results.items():
        base_median = statistics.median(by_config[CONFIGS[0].name])
        base_min = min(by_config[CONFIGS[0].name])
        lines += [
            label,
            "| middleware on | µs/request median (min) | overhead µs median (min) |",
            "|---|---:|---:|",
        ]
        for name, values in by_config.items():
            median, fastest = statistics.median(values), min(values)
            overhead = f"{median - base_median:+.1f} ({fastest - base_min:+.1f})"
            lines.append(f"| {name} | {median:.1f} ({fastest:.1f}) | {overhead} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    handler = logging.StreamHandler(tempfile.TemporaryFile("w"))  # noqa: SIM115 - lives as long as the process
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        results = runner.run(measure(args.requests, args.rounds))
    sys.stdout.write(report(results, args.requests, args.rounds) + "\n")


if __name__ == "__main__":
    main()
