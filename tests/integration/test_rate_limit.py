"""The rate limiter against the real Redis: one limit across app instances, honest client addresses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from graph.http.rate_limit import RateLimiter, open_rate_limiter
from graph.http.rate_limit_store import REDIS_OPERATION_TIMEOUT_SECONDS
from graph.settings import Settings
from tests.conftest import REDIS_URL, make_settings, redis_host_port
from tests.support.asgi import client_of, running_app
from tests.support.json_logs import json_logs
from tests.support.redis_keys import own_key_prefix
from tests.support.tcp_proxy import TcpProxy

TYPENAME = {"query": "query Ping { __typename }"}


@pytest.fixture
async def key_prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test's own, removed afterwards."""
    async with own_key_prefix("ratelimit") as prefix:
        yield prefix


def limited(prefix: str, limit: int = 5, **overrides: object) -> Settings:
    return make_settings(rate_limit_per_minute=limit, rate_limit_key_prefix=prefix, **overrides)


async def ping(client: httpx.AsyncClient, **kwargs: object) -> httpx.Response:
    return await client.post("/graphql", json=TYPENAME, **kwargs)  # type: ignore[arg-type]


async def test_request_101_within_a_minute_is_rejected_with_a_sane_retry_after(key_prefix: str) -> None:
    async with running_app(limited(key_prefix, limit=100)) as app, client_of(app) as client:
        for number in range(1, 101):
            response = await ping(client)
            assert response.status_code == 200, number
            assert response.headers["ratelimit-remaining"] == str(100 - number)
        rejected = await ping(client)
    assert rejected.status_code == 429
    retry_after = int(rejected.headers["retry-after"])
    # The oldest of the 100 requests was made a moment ago: its slot frees in just under a minute.
    assert 50 <= retry_after <= 60
    assert rejected.headers["ratelimit-limit"] == "100"
    assert rejected.headers["ratelimit-remaining"] == "0"
    assert rejected.headers["ratelimit-reset"] == str(retry_after)
    error = rejected.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == retry_after


async def test_rest_paths_get_the_legacy_error_shape(key_prefix: str) -> None:
    async with running_app(limited(key_prefix, limit=1)) as app, client_of(app) as client:
        await client.get("/api/v1/manufacturer-model-combinations")
        rejected = await client.get("/api/v1/manufacturer-model-combinations")
    assert rejected.status_code == 429
    body = rejected.json()
    assert body["error"] == "Too many requests"
    assert "1 requests per minute" in body["details"]
    assert rejected.headers["x-api-version"] == "v1"


async def test_a_whitelisted_address_is_never_limited(key_prefix: str) -> None:
    settings = limited(key_prefix, limit=2, rate_limit_whitelist="10.1.0.0/16,fd00::/8")
    async with running_app(settings) as app:
        async with client_of(app, "10.1.2.3") as internal, client_of(app, "fd00::7") as internal6:
            for _ in range(6):
                assert (await ping(internal)).status_code == 200
                assert (await ping(internal6)).status_code == 200
        async with client_of(app, "10.2.0.1") as outsider:
            assert [(await ping(outsider)).status_code for _ in range(3)] == [200, 200, 429]


async def test_probes_and_metrics_are_exempt(key_prefix: str) -> None:
    async with running_app(limited(key_prefix, limit=1)) as app, client_of(app) as client:
        await ping(client)
        assert (await ping(client)).status_code == 429
        for path in ("/health", "/health/live", "/health/ready", "/metrics"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "ratelimit-limit" not in response.headers


async def test_spoofed_forwarded_for_from_an_untrusted_peer_does_not_evade(key_prefix: str) -> None:
    settings = limited(key_prefix, limit=3, trusted_proxies="10.0.0.0/8")
    async with running_app(settings) as app, client_of(app, "203.0.113.7") as client:
        statuses = [
            (await ping(client, headers={"x-forwarded-for": f"198.51.100.{n}"})).status_code for n in range(6)
        ]
    assert statuses == [200, 200, 200, 429, 429, 429]


async def test_trusted_proxy_clients_are_told_apart_and_cannot_spoof_through_it(key_prefix: str) -> None:
    settings = limited(key_prefix, limit=2, trusted_proxies="10.0.0.0/8")
    async with running_app(settings) as app, client_of(app, "10.0.0.5") as proxy:
        # The proxy appends the real peer; whatever the client wrote to its left is ignored.
        spoofing = [
            (await ping(proxy, headers={"x-forwarded-for": f"1.1.1.{n}, 198.51.100.20"})).status_code
            for n in range(3)
        ]
        other_client = await ping(proxy, headers={"x-forwarded-for": "198.51.100.21"})
    assert spoofing == [200, 200, 429]
    assert other_client.status_code == 200


async def test_zero_turns_the_limiter_off(key_prefix: str) -> None:
    async with running_app(limited(key_prefix, limit=0)) as app, client_of(app) as client:
        responses = [await ping(client) for _ in range(5)]
    assert all(r.status_code == 200 and "ratelimit-limit" not in r.headers for r in responses)


async def test_without_redis_the_process_limits_on_its_own_and_never_fails(key_prefix: str) -> None:
    settings = limited(key_prefix, limit=3, redis_url="redis://127.0.0.1:1/0")
    async with running_app(settings) as app, client_of(app) as client:
        statuses = [(await ping(client)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


async def test_a_hung_redis_costs_one_short_timeout_then_nothing(key_prefix: str) -> None:
    host, port = redis_host_port()
    hung = TcpProxy(target_host=host, target_port=port, blackhole=True)
    await hung.start()
    try:
        settings = limited(key_prefix, limit=50, redis_url=f"redis://{hung.url_host}/0")
        async with running_app(settings) as app, client_of(app) as client:
            started = time.monotonic()
            first = await ping(client)
            first_took = time.monotonic() - started
            started = time.monotonic()
            rest = [await ping(client) for _ in range(20)]
            rest_took = time.monotonic() - started
    finally:
        await hung.stop()
    assert first.status_code == 200
    # Measured 0.015-0.03 s on a loaded 2-core machine; one exchange timeout (0.3 s) at most.
    assert first_took < 0.5
    assert all(r.status_code == 200 for r in rest)
    # The breaker keeps the next requests off Redis: no timeout is paid again. Measured 0.05-0.06 s;
    # one timeout (0.15 s) for each would be 3 s: the bound is half that, 25x the measure.
    assert rest_took < 20 * REDIS_OPERATION_TIMEOUT_SECONDS / 2


# The limiter itself, as the lifespan opens it, with its exchanges through the real Redis
# called explicitly (`sync()`), as the background task would at its interval.


@asynccontextmanager
async def replica(prefix: str, limit: int, redis_url: str | None = REDIS_URL) -> AsyncIterator[RateLimiter]:
    limiter = open_rate_limiter(limited(prefix, limit=limit, redis_url=redis_url))
    assert limiter is not None
    try:
        yield limiter
    finally:
        await limiter.close()


def admitted(limiter: RateLimiter, count: int, address: str = "203.0.113.9") -> int:
    return sum(limiter.hit(address)[0].allowed for _ in range(count))


async def test_one_replica_with_redis_limits_exactly_at_the_limit(key_prefix: str) -> None:
    async with replica(key_prefix, limit=10) as limiter:
        decisions = []
        for _ in range(3):
            decisions += [limiter.hit("203.0.113.9")[0] for _ in range(5)]
            await limiter.sync()
    assert [d.allowed for d in decisions] == [True] * 10 + [False] * 5
    assert [d.remaining for d in decisions[:10]] == list(range(9, -1, -1))


@pytest.mark.parametrize("replicas", [2, 3])
async def test_replicas_sharing_redis_stay_within_the_documented_bound(
    key_prefix: str, replicas: int
) -> None:
    """docs/rate-limit.md: at most limit + (replicas - 1) x (requests per replica per interval) x 2."""
    limit, per_interval = 20, 3
    bound = limit + (replicas - 1) * per_interval * 2
    async with AsyncExitStack() as stack:
        limiters = [await stack.enter_async_context(replica(key_prefix, limit)) for _ in range(replicas)]
        total = 0
        for _ in range(30):  # the client spreads its requests evenly, the replicas sync in turn
            for limiter in limiters:
                total += admitted(limiter, per_interval)
            for limiter in limiters:
                await limiter.sync()
        assert limit <= total <= bound
        # Once the counts have gone round, every replica refuses.
        assert all(admitted(limiter, 5) == 0 for limiter in limiters)


async def test_a_new_replica_learns_the_count_at_its_first_exchange(key_prefix: str) -> None:
    async with replica(key_prefix, limit=5) as first:
        assert admitted(first, 5) == 5
        await first.sync()
        async with replica(key_prefix, limit=5) as second:
            # It knows nothing of this client until it has admitted one and exchanged.
            assert admitted(second, 1) == 1
            await second.sync()
            decision, backend = second.hit("203.0.113.9")
    assert not decision.allowed
    assert backend == "redis"
    assert decision.remaining == 0


async def test_the_shared_counts_live_in_one_expiring_hash_per_client(key_prefix: str) -> None:
    async with replica(key_prefix, limit=50) as limiter:
        admitted(limiter, 7)
        await limiter.sync()
        client = redis.Redis.from_url(REDIS_URL)
        try:
            key = f"{key_prefix}:counts:203.0.113.9"
            buckets = await client.hgetall(key)
            ttl_ms = await client.pttl(key)
        finally:
            await client.aclose()
    assert sum(int(count) for count in buckets.values()) == 7
    assert 0 < ttl_ms <= 61_000


async def test_the_sorted_sets_of_the_per_request_limiter_do_not_disturb_the_exchange(
    key_prefix: str,
) -> None:
    # During a rollout, replicas of the earlier release keep their sliding windows under <prefix>:<client>.
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.zadd(f"{key_prefix}:203.0.113.9", {"earlier-release": time.time()})
        async with replica(key_prefix, limit=5) as limiter:
            admitted(limiter, 3)
            await limiter.sync()
            _, backend = limiter.hit("203.0.113.9")
        assert await client.type(f"{key_prefix}:203.0.113.9") == b"zset"
    finally:
        await client.aclose()
    assert backend == "redis"


async def test_the_background_task_exchanges_without_being_asked(
    key_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = limited(key_prefix, limit=50, rate_limit_sync_seconds=0.01)
    limiter = open_rate_limiter(settings)
    assert limiter is not None
    synced = asyncio.Event()
    sync = limiter.sync

    async def observed_sync() -> None:
        await sync()
        synced.set()

    monkeypatch.setattr(limiter, "sync", observed_sync)
    try:
        admitted(limiter, 3)  # the first decision starts the task
        await asyncio.wait_for(synced.wait(), timeout=5)
        async with replica(key_prefix, limit=5) as other:
            admitted(other, 1)
            await other.sync()
            assert admitted(other, 1) == 1  # 3 + 1 counted, the fifth fits
            await other.sync()
            assert admitted(other, 1) == 0
    finally:
        await limiter.close()


async def test_a_closed_replica_sends_its_last_admissions_and_starts_no_task(key_prefix: str) -> None:
    async with replica(key_prefix, limit=5) as first:
        admitted(first, 4)
    # Closed: its 4 were sent on the way out. A request still in flight is decided but not shared.
    assert first.hit("203.0.113.9")[0].allowed
    assert not first._exchange.running
    async with replica(key_prefix, limit=5) as second:
        assert admitted(second, 1) == 1
        await second.sync()
        assert admitted(second, 1) == 0


async def test_without_redis_a_replica_limits_on_its_own_counts(key_prefix: str) -> None:
    failures = "autos_graph_rate_limit_store_failures_total"
    before = REGISTRY.get_sample_value(failures) or 0.0
    async with replica(key_prefix, limit=3, redis_url="redis://127.0.0.1:1/0") as limiter:
        with json_logs() as logs:
            first = [limiter.hit("203.0.113.9")[0].allowed for _ in range(2)]
            await limiter.sync()  # fails, and says so once
            await limiter.sync()
            rest = [limiter.hit("203.0.113.9") for _ in range(3)]
    assert first + [decision.allowed for decision, _ in rest] == [True, True, True, False, False]
    assert {backend for _, backend in rest} == {"memory"}
    assert (REGISTRY.get_sample_value(failures) or 0.0) - before >= 2
    warnings = [e for e in logs.entries() if "falls back" in e["message"]]
    assert len(warnings) == 1
    assert warnings[0]["level"] == "warning"


async def test_admissions_made_while_redis_was_down_are_shared_when_it_returns(key_prefix: str) -> None:
    host, port = redis_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        through_proxy = f"redis://{proxy.url_host}{urlsplit(REDIS_URL).path}"  # the same database
        async with replica(key_prefix, limit=6, redis_url=through_proxy) as cut_off:
            await proxy.stop()
            assert admitted(cut_off, 4) == 4
            await cut_off.sync()
            assert cut_off.hit("203.0.113.9")[1] == "memory"
            await proxy.restart()
            with json_logs() as logs:
                await cut_off.sync()
            assert [e["message"] for e in logs.entries()] == ["rate limiter back on Redis"]
            async with replica(key_prefix, limit=6) as other:
                assert admitted(other, 1) == 1
                await other.sync()
                # cut_off's 5 (4 + the one above) and other's 1.
                assert admitted(other, 1) == 0
    finally:
        await proxy.stop()


async def test_a_hung_redis_never_holds_a_decision_and_bounds_the_exchange(key_prefix: str) -> None:
    host, port = redis_host_port()
    hung = TcpProxy(target_host=host, target_port=port, blackhole=True)
    await hung.start()
    try:
        async with replica(key_prefix, limit=50, redis_url=f"redis://{hung.url_host}/0") as limiter:
            assert admitted(limiter, 10) == 10
            started = time.monotonic()
            await limiter.sync()
            took = time.monotonic() - started
            assert limiter.hit("203.0.113.9")[1] == "memory"
    finally:
        await hung.stop()
    # Redis' operation timeout (0.3 s) with 5x slack.
    assert took < 1.5
