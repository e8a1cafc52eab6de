"""Dependencies under pressure: the Redis-full and Elasticsearch-slow rows of docs/security.md.

`autos-graph serve` as k8s/configmap.yaml deploys it (rate limiter on at 100
a minute), against a Redis of the test's own filled to its `maxmemory` with
`noeviction`, and against Elasticsearch behind a proxy that delays its
answers. Every answer: data, or a coded error with the right status; never a
5xx or a stack trace; and the service comes back by itself once the pressure
ends.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import redis.asyncio as redis
from redis.exceptions import OutOfMemoryError

from tests.conftest import es_host_port
from tests.support.deployed_server import UNSET, deployed_environment
from tests.support.graphql import error_codes, shared_answer
from tests.support.redis_server import RedisServer
from tests.support.server import ServedProcess, leaks
from tests.support.server_log import unhandled_errors
from tests.support.tcp_proxy import TcpProxy

REDIS_PORT = 6385  # the battery's own Redis, apart from the shared one
MAX_MEMORY = 4 * 2**20
VEHICLES = "query Page($n: Int!) { vehicles(first: $n) { totalCount nodes { vehicleId } } }"
PICKER = "query Picker($s: String) { manufacturerModelCombinations(search: $s, first: 3) { totalCount } }"
LIMIT = 100  # k8s/configmap.yaml's RATE_LIMIT_PER_MINUTE
SLACK = 5


def checked(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    assert leaks(response.text) == [], response.text
    body: dict[str, Any] = response.json()
    return body


async def start(process: ServedProcess) -> None:
    # In a thread: the proxy in front of Elasticsearch runs on this event loop.
    await asyncio.to_thread(process.start)


async def stop(process: ServedProcess) -> str:
    assert process.process is not None
    assert process.process.poll() is None, "the server died"
    await asyncio.to_thread(process.stop)
    text = process.log_path.read_text(errors="replace")
    assert unhandled_errors(text) == [], text[-3000:]
    return text


@pytest.fixture
async def full_redis(tmp_path: Path) -> AsyncIterator[tuple[RedisServer, redis.Redis]]:
    server = RedisServer(directory=tmp_path / "redis", port=REDIS_PORT)
    await server.start()
    admin = redis.Redis.from_url(server.url)
    await admin.config_set("maxmemory-policy", "noeviction")
    await admin.config_set("maxmemory", str(MAX_MEMORY))
    try:
        yield server, admin
    finally:
        await admin.aclose()
        server.kill()


async def fill(admin: redis.Redis) -> int:
    """Junk keys until Redis refuses a write for memory; how many went in."""
    count = 0
    while True:
        try:
            await admin.set(f"junk:{count}", b"x" * 16384)
        except OutOfMemoryError:
            return count
        count += 1


async def test_a_full_redis_fails_open_with_answers_and_codes_never_500(
    sample_index: str, tmp_path: Path, full_redis: tuple[RedisServer, redis.Redis]
) -> None:
    redis_server, admin = full_redis
    env = deployed_environment(
        REDIS_URL=redis_server.url, RATE_LIMIT_KEY_PREFIX=f"battery-{uuid.uuid4().hex}"
    )
    process = ServedProcess(index=sample_index, log_path=tmp_path / "server.log", env=env, unset=UNSET)
    await start(process)
    sent = 0
    try:
        async with httpx.AsyncClient(base_url=process.base_url, timeout=30) as client:
            junk = await fill(admin)
            assert junk > 0
            # Reads that miss every cache: answered from Elasticsearch, the cache writes refused.
            for n in range(1, 21):
                body = checked(await client.post("/graphql", json={"query": VEHICLES, "variables": {"n": n}}))
                assert "errors" not in body, body
                assert len(body["data"]["vehicles"]["nodes"]) == n
            for search in ("for", "chev", "toy", "bmw", "merc"):
                body = checked(
                    await client.post("/graphql", json={"query": PICKER, "variables": {"s": search}})
                )
                assert "errors" not in body, body
            rest = await client.get("/api/v1/vehicles/details", params={"size": 2})
            assert rest.status_code == 200
            assert rest.json()["results"]
            sent += 26
            # A registration Redis cannot hold: the answer still comes, and the hash stays unknown.
            document = "{ vehicles(first: 2) { totalCount } }"
            digest = hashlib.sha256(document.encode()).hexdigest()
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            registered = checked(
                await client.post("/graphql", json={"query": document, "extensions": extensions})
            )
            assert registered["data"]["vehicles"]["totalCount"] > 0
            by_hash = await client.get("/graphql", params={"extensions": orjson.dumps(extensions).decode()})
            assert error_codes(checked(by_hash)) in ([], ["PERSISTED_QUERY_NOT_FOUND"])
            print(
                f"[battery] redis full: APQ registration 200 with data; by hash {by_hash.status_code} "
                f"{error_codes(by_hash.json())}"
            )
            sent += 2
            ready = await client.get("/health/ready")
            assert ready.status_code == 200
            print(f"[battery] redis full: /health/ready {ready.status_code} cache {ready.json()['cache']}")
            # The limiter counts on its own while Redis refuses its script, and still limits at the limit.
            statuses = []
            while sent < LIMIT + 5:
                statuses.append(
                    (await client.get("/graphql", params={"query": "{ __typename }"})).status_code
                )
                sent += 1
            assert set(statuses) == {200, 429}
            assert sent - len(statuses) + statuses.index(429) == LIMIT
            limited = await client.get("/graphql", params={"query": "{ __typename }"})
            assert limited.status_code == 429
            assert error_codes(checked(limited)) == ["RATE_LIMITED"]
            print(f"[battery] redis full: {junk} junk keys; reads 200, request {LIMIT + 1} 429 RATE_LIMITED")

        # Memory freed: registrations are kept again without a restart. From another loopback address,
        # a client of its own to the limiter, since this one has used its minute.
        other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=process.base_url, timeout=30, transport=other) as client:
            await admin.delete(*[f"junk:{n}" for n in range(junk)])
            deadline = time.monotonic() + 10 * SLACK
            while True:
                checked(await client.post("/graphql", json={"query": document, "extensions": extensions}))
                stored = checked(
                    await client.get("/graphql", params={"extensions": orjson.dumps(extensions).decode()})
                )
                if "errors" not in stored:
                    break
                assert time.monotonic() < deadline, stored
                await asyncio.sleep(0.5)
            assert stored["data"]["vehicles"]["totalCount"] > 0
    finally:
        log = await stop(process)
    assert "rate limiter falls back to per-process counting" in log


# Elasticsearch slow: within the client's timeout answers are slow but whole; past it, coded errors.


@pytest.fixture
async def slow_elasticsearch() -> AsyncIterator[TcpProxy]:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


async def test_a_slow_elasticsearch_gets_answers_or_coded_errors_never_500(
    sample_index: str, tmp_path: Path, slow_elasticsearch: TcpProxy
) -> None:
    env = deployed_environment(
        ELASTICSEARCH_URL=f"http://{slow_elasticsearch.url_host}",
        RATE_LIMIT_PER_MINUTE="0",
        RATE_LIMIT_KEY_PREFIX=f"battery-{uuid.uuid4().hex}",
    )
    process = ServedProcess(index=sample_index, log_path=tmp_path / "server.log", env=env, unset=UNSET)
    await start(process)
    run = uuid.uuid4().hex
    try:
        async with httpx.AsyncClient(base_url=process.base_url, timeout=60) as client:

            async def page(n: int) -> httpx.Response:
                # A comment of this run's own: never answered from an earlier run's cache.
                query = f"# {run}\n{VEHICLES}"
                return await client.post("/graphql", json={"query": query, "variables": {"n": n}})

            warm = checked(await page(1))
            assert "errors" not in warm

            slow_elasticsearch.delay = 0.5  # slow, within the 1.5 s per attempt
            started = time.monotonic()
            body = checked(await page(2))
            assert "errors" not in body, body
            assert len(body["data"]["vehicles"]["nodes"]) == 2
            print(f"[battery] elasticsearch 0.5 s slow: 200 with data in {time.monotonic() - started:.1f} s")

            slow_elasticsearch.delay = 5.0  # past the timeout
            started = time.monotonic()
            body = checked(await page(3))
            elapsed = time.monotonic() - started
            assert body.get("data") is None
            assert error_codes(body) == ["SERVICE_UNAVAILABLE"]
            assert elapsed < 2.0 * SLACK
            rest = await client.get("/api/v1/vehicles/details", params={"size": 3, "_": run})
            assert rest.status_code == 503
            assert set(rest.json()) >= {"error", "details"}
            assert leaks(rest.text) == []
            cached = checked(await page(1))
            assert shared_answer(cached) == shared_answer(warm)  # an answer cached before keeps being served
            print(f"[battery] elasticsearch 5 s slow: SERVICE_UNAVAILABLE in {elapsed:.1f} s, REST 503")

            slow_elasticsearch.delay = 0.0
            deadline = time.monotonic() + 5.0 * SLACK
            while "errors" in (recovered := checked(await page(4))):
                assert time.monotonic() < deadline, recovered
                await asyncio.sleep(0.5)
            assert len(recovered["data"]["vehicles"]["nodes"]) == 4
    finally:
        await stop(process)
