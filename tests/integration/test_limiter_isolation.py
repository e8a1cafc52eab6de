"""Cache pressure cannot reset a limit: the limiter counts in a Redis of its own, closed when that is full.

Two private redis-servers (tests/support/redis_server.py) stand for the shipped
pair: the cache's (`volatile-lru`, a small maxmemory, filled past it) and the
limiter's (`noeviction`). The shared Redis of the suite is not touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import redis.asyncio as redis
from prometheus_client import REGISTRY

from graph.http.rate_limit import RateLimiter, open_rate_limiter
from tests.conftest import make_settings
from tests.support.redis_server import RedisServer

CLIENT = "203.0.113.9"
PREFIX = "autos-graph-test:isolation"
CACHE_PORT, LIMITS_PORT = 6381, 6382
STORE_FAILURES = "autos_graph_rate_limit_store_failures_total"


@asynccontextmanager
async def redis_server(
    tmp_path: Path, *, port: int, maxmemory: str, policy: str
) -> AsyncIterator[RedisServer]:
    server = RedisServer(
        directory=tmp_path / str(port),
        port=port,
        options=("--maxmemory", maxmemory, "--maxmemory-policy", policy),
    )
    await server.start()
    try:
        yield server
    finally:
        server.kill()


async def fill(url: str, *, megabytes: int, ttl: int | None) -> int:
    """Write `megabytes` of 10 KB values (with a TTL, as the caches' entries, or without), then small ones
    until one is refused, so no room is left even for a small write; the writes refused."""
    client = redis.Redis.from_url(url)
    refused = 0
    try:
        for number in range(megabytes * 100):
            try:
                await client.set(f"filler:{number}", b"x" * 10_000, ex=ttl)
            except redis.ResponseError:  # OOM under noeviction
                refused += 1
        if refused:
            for number in range(100_000):
                try:
                    await client.set(f"small:{number}", b"x", ex=ttl)
                except redis.ResponseError:
                    return refused + 1
    finally:
        await client.aclose()
    return refused


def admitted(limiter: RateLimiter, times: int) -> int:
    return sum(limiter.hit(CLIENT)[0].allowed for _ in range(times))


async def test_a_full_cache_redis_neither_evicts_nor_resets_the_limits(tmp_path: Path) -> None:
    async with (
        redis_server(tmp_path, port=CACHE_PORT, maxmemory="4mb", policy="volatile-lru") as cache,
        redis_server(tmp_path, port=LIMITS_PORT, maxmemory="16mb", policy="noeviction") as limits,
    ):
        settings = make_settings(
            redis_url=cache.url,
            rate_limit_redis_url=limits.url,
            rate_limit_per_minute=5,
            rate_limit_key_prefix=PREFIX,
        )
        first = open_rate_limiter(settings)
        assert first is not None
        assert admitted(first, 5) == 5
        await first.sync()
        assert await fill(cache.url, megabytes=12, ttl=60) == 0  # three times the cache's room
        admin = redis.Redis.from_url(cache.url)
        try:
            evicted = int((await admin.info("stats"))["evicted_keys"])
        finally:
            await admin.aclose()
        assert evicted > 0
        # A replica that never saw the client learns its count from the limiter's Redis, intact.
        second = open_rate_limiter(settings)
        assert second is not None
        assert admitted(second, 1) == 1  # decided before its first exchange
        await second.sync()
        decision, backend = second.hit(CLIENT)
        counts = redis.Redis.from_url(limits.url)
        try:
            held = sum(int(count) for count in (await counts.hgetall(f"{PREFIX}:counts:{CLIENT}")).values())
        finally:
            await counts.aclose()
        await first.close()
        await second.close()
    assert not decision.allowed
    assert backend == "redis"
    assert held == 6


async def test_a_full_limiter_redis_fails_closed_each_replica_keeps_limiting(tmp_path: Path) -> None:
    async with redis_server(tmp_path, port=LIMITS_PORT, maxmemory="2mb", policy="noeviction") as limits:
        assert await fill(limits.url, megabytes=4, ttl=None) > 0  # full: writes are refused
        settings = make_settings(
            rate_limit_redis_url=limits.url, rate_limit_per_minute=3, rate_limit_key_prefix=PREFIX
        )
        limiter = open_rate_limiter(settings)
        assert limiter is not None
        allowed = [limiter.hit(CLIENT)[0].allowed for _ in range(3)]
        failures_before = REGISTRY.get_sample_value(STORE_FAILURES) or 0.0
        await limiter.sync()  # refused: out of memory
        after_failure = [limiter.hit(CLIENT) for _ in range(2)]
        failures_after = REGISTRY.get_sample_value(STORE_FAILURES) or 0.0
        await limiter.close()
    assert allowed == [True, True, True]
    assert failures_after == failures_before + 1
    # Closed, not open: the replica goes on limiting on its own counts.
    assert [(decision.allowed, backend) for decision, backend in after_failure] == [(False, "memory")] * 2
