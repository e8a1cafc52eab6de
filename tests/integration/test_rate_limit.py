"""The rate limiter against the real Redis: one limit across app instances, honest client addresses."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis

from graph.settings import Settings
from tests.conftest import REDIS_URL, make_settings, redis_host_port
from tests.support.asgi import client_of, running_app
from tests.support.tcp_proxy import TcpProxy

TYPENAME = {"query": "query Ping { __typename }"}


@pytest.fixture
async def key_prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test's own, removed afterwards."""
    prefix = f"autos-graph-test:ratelimit:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


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


async def test_two_instances_sharing_redis_enforce_one_combined_limit(key_prefix: str) -> None:
    settings = limited(key_prefix, limit=6)
    async with (
        running_app(settings) as first,
        running_app(settings) as second,
        client_of(first) as a,
        client_of(second) as b,
    ):
        statuses = [(await ping(client)).status_code for client in (a, b) * 4]
    # Six allowed in total, alternating between the instances, then both refuse.
    assert statuses == [200] * 6 + [429, 429]


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


async def test_without_redis_each_process_limits_on_its_own_and_never_fails(key_prefix: str) -> None:
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
    assert first_took < 0.5
    assert all(r.status_code == 200 for r in rest)
    # The breaker keeps the next requests off Redis: no timeout is paid again.
    assert rest_took < 0.5
