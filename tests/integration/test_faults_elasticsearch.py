"""Elasticsearch outages seen through a proxy the test cuts: fail fast, then heal without help.

The real Elasticsearch keeps running (other suites share it); the proxy in
front of it is stopped (connections refused, like a dead node), turned into a
blackhole (connections accepted, nothing answered, like a hung node), and
restarted on the same port, so the app's configured URL comes back to life.

Checked here (README, "Faults and limits"), each time bound at least 5x what it
measures on a loaded 2-core machine (docs/testing.md):
- /health/ready turns 503 (within 5x its 1.5 s probe timeout); /health/live stays 200;
- an uncached GraphQL request gets SERVICE_UNAVAILABLE, and REST a 503 JSON
  `{"error", "details"}`, within 5x the call's deadline (ES_REQUEST_TIMEOUT_SECONDS
  + RETRY_GRACE_SECONDS), whether Elasticsearch refuses or hangs, and ten at once
  in less than twice the deadline would take them one after another; that the
  deployed deadline is under the 2 s product target is checked on the settings;
- the first request after Elasticsearch returns succeeds: recovery within 5 s;
- with several nodes configured, losing one fails no request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx
import pytest

from datasources.elastic.client import RETRY_GRACE_SECONDS
from graph.http.health import PROBE_TIMEOUT_SECONDS
from graph.settings import Settings
from tests.conftest import app_client, es_host_port, make_settings
from tests.support.graphql import error_codes, graphql
from tests.support.tcp_proxy import TcpProxy

# 5x the readiness probe's own timeout (a hung node answers the probe after PROBE_TIMEOUT_SECONDS).
READY_BOUND_SECONDS = 5 * PROBE_TIMEOUT_SECONDS
# A call's deadline with the deployed settings (1.8 s); a failing call is measured at about that.
DEADLINE_SECONDS = Settings().es_request_timeout_seconds + RETRY_GRACE_SECONDS
FAIL_FAST_BOUND_SECONDS = 5 * DEADLINE_SECONDS
# Measured 0.01-0.4 s (docs/testing.md).
RECOVERY_BOUND_SECONDS = 5.0

VEHICLES = "{ vehicles(first: 3, sort: [{field: YEAR, direction: DESC}]) { totalCount nodes { vehicleId } } }"
DETAILS = "/api/v1/vehicles/details"

T = TypeVar("T")


@dataclass
class Cluster:
    """The app and the proxies standing in for its Elasticsearch nodes."""

    client: httpx.AsyncClient
    proxies: list[TcpProxy]


@asynccontextmanager
async def cluster_app(index: str, *, nodes: int = 1, **overrides: object) -> AsyncIterator[Cluster]:
    host, port = es_host_port()
    proxies = [TcpProxy(target_host=host, target_port=port) for _ in range(nodes)]
    for proxy in proxies:
        await proxy.start()
    urls = ",".join(f"http://{proxy.url_host}" for proxy in proxies)
    settings: Settings = make_settings(es_index=index, elasticsearch_url=urls, **overrides)
    try:
        async for client in app_client(settings):
            yield Cluster(client=client, proxies=proxies)
    finally:
        for proxy in proxies:
            await proxy.stop()


async def timed(call: Awaitable[T]) -> tuple[T, float]:
    started = time.monotonic()
    result = await call
    return result, time.monotonic() - started


async def seconds_until(check: Callable[[], Awaitable[bool]], *, bound: float) -> float:
    """How long until `check` holds, polling; fails the test past `bound`."""
    started = time.monotonic()
    while not await check():
        elapsed = time.monotonic() - started
        assert elapsed < bound, f"still not so after {elapsed:.1f} s"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def vehicles_answer(client: httpx.AsyncClient) -> bool:
    body = await graphql(client, VEHICLES)
    return "errors" not in body and body["data"]["vehicles"]["totalCount"] > 0


async def assert_fails_fast(client: httpx.AsyncClient) -> None:
    body, elapsed = await timed(graphql(client, VEHICLES))
    assert error_codes(body) == ["SERVICE_UNAVAILABLE"], body
    assert elapsed < FAIL_FAST_BOUND_SECONDS, f"GraphQL took {elapsed:.2f} s to fail"
    response, elapsed = await timed(client.get(DETAILS, params={"size": 5}))
    assert response.status_code == 503, response.text
    assert set(response.json()) >= {"error", "details"}
    assert "Traceback" not in response.text
    assert elapsed < FAIL_FAST_BOUND_SECONDS, f"REST took {elapsed:.2f} s to fail"


async def assert_ready_turns_503(client: httpx.AsyncClient) -> float:
    async def unready() -> bool:
        return (await client.get("/health/ready")).status_code == 503

    took = await seconds_until(unready, bound=READY_BOUND_SECONDS)
    assert (await client.get("/health/live")).status_code == 200
    return took


async def assert_recovers(client: httpx.AsyncClient, what: str) -> float:
    took = await seconds_until(lambda: vehicles_answer(client), bound=RECOVERY_BOUND_SECONDS)
    assert (await client.get("/health/ready")).status_code == 200
    assert (await client.get(DETAILS, params={"size": 5})).status_code == 200
    print(f"[faults] {what}: recovered {took:.2f} s after Elasticsearch came back")
    return took


async def test_refused_connections_fail_fast_and_heal(sample_index: str) -> None:
    async with cluster_app(sample_index) as app:
        assert await vehicles_answer(app.client)
        await app.proxies[0].stop()
        took = await assert_ready_turns_503(app.client)
        await assert_fails_fast(app.client)
        # A long outage too: the failures pile up on the node, and still it heals at once.
        for _ in range(5):
            await assert_fails_fast(app.client)
        await app.proxies[0].restart()
        await assert_recovers(app.client, "refused connections")
        print(f"[faults] refused connections: /health/ready 503 after {took:.2f} s")


async def test_a_hung_elasticsearch_fails_requests_within_the_bound(sample_index: str) -> None:
    async with cluster_app(sample_index) as app:
        assert await vehicles_answer(app.client)
        app.proxies[0].hang()  # the pooled keep-alive connections hang too
        took = await assert_ready_turns_503(app.client)
        await assert_fails_fast(app.client)
        # Several at once, as under load: each is bounded, not queued behind the others.
        bodies, elapsed = await timed(asyncio.gather(*(graphql(app.client, VEHICLES) for _ in range(10))))
        assert all(error_codes(body) == ["SERVICE_UNAVAILABLE"] for body in bodies)
        # Queued one behind another they would take 10 deadlines; 5x slack over one still shows they are not.
        assert elapsed < FAIL_FAST_BOUND_SECONDS < 10 * DEADLINE_SECONDS
        await app.proxies[0].resume()
        await assert_recovers(app.client, "blackhole")
        print(f"[faults] blackhole: /health/ready 503 after {took:.2f} s")


async def test_losing_one_of_several_nodes_fails_no_request(sample_index: str) -> None:
    async with cluster_app(sample_index, nodes=3) as app:
        lost = app.proxies[1]
        for _ in range(6):
            assert await vehicles_answer(app.client)
        await lost.stop()
        # Every node is tried in turn; the lost one is retried elsewhere, then skipped.
        failures = [await vehicles_answer(app.client) for _ in range(30)].count(False)
        assert failures == 0
        await lost.restart()
        lost.requests.clear()

        async def back_in_rotation() -> bool:
            await vehicles_answer(app.client)
            return any(path.split("?")[0].endswith("/_search") for _method, path in lost.requests)

        # The dead-node backoff is capped (MAX_DEAD_NODE_BACKOFF_SECONDS), so it returns soon.
        took = await seconds_until(back_in_rotation, bound=RECOVERY_BOUND_SECONDS)
        print(f"[faults] a returning node is back in rotation after {took:.2f} s")


async def test_losing_every_node_then_all_return(sample_index: str) -> None:
    async with cluster_app(sample_index, nodes=2) as app:
        assert await vehicles_answer(app.client)
        for proxy in app.proxies:
            await proxy.stop()
        for _ in range(4):
            await assert_fails_fast(app.client)
        for proxy in app.proxies:
            await proxy.restart()
        await assert_recovers(app.client, "two nodes, both lost")


@pytest.mark.parametrize("cached", [True, False])
async def test_an_outage_during_a_request_stream_fails_only_while_it_lasts(
    sample_index: str, cached: bool
) -> None:
    """Requests keep coming through the outage; every one is answered in bounded time."""
    query = "{ facets { totalCount } }" if cached else VEHICLES
    async with cluster_app(sample_index) as app:
        proxy = app.proxies[0]
        # (started, ended, codes) of each request.
        outcomes: list[tuple[float, float, list[str]]] = []

        async def stream(until: float) -> None:
            while (started := time.monotonic()) < until:
                body = await graphql(app.client, query)
                outcomes.append((started, time.monotonic(), error_codes(body)))
                await asyncio.sleep(0.05)

        started = time.monotonic()
        load = asyncio.create_task(stream(started + 4.0))
        await asyncio.sleep(1.0)
        await proxy.stop()
        cut_at = time.monotonic()
        await asyncio.sleep(1.5)
        await proxy.restart()
        back_at = time.monotonic()
        await load
        assert max(ended - started for started, ended, _ in outcomes) < FAIL_FAST_BOUND_SECONDS
        failed = [(started, ended) for started, ended, codes in outcomes if codes]
        if cached:
            assert failed == []  # the cached aggregation is served (stale) through the outage
        else:
            # In order of events: every failure overlaps the outage; none started after the return.
            assert all(ended >= cut_at and started < back_at for started, ended in failed), (
                cut_at,
                back_at,
                failed,
            )
        assert not outcomes[-1][2], "the stream did not recover"
