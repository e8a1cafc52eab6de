"""The rate limiter counts networks, and says when X-Forwarded-For comes from a peer it does not trust."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from graph.http.untrusted_forwarding import UNTRUSTED_FORWARDING
from tests.conftest import make_settings
from tests.support.asgi import client_of, running_app
from tests.support.json_logs import json_logs
from tests.support.redis_keys import delete_matching

TYPENAME = {"query": "query Ping { __typename }"}
UNTRUSTED = "autos_graph_untrusted_forwarded_for_total"


@pytest.fixture
async def key_prefix() -> AsyncIterator[str]:
    prefix = f"autos-graph-test:ratelimit:{uuid.uuid4().hex}"
    yield prefix
    await delete_matching(f"{prefix}:*")


async def ping(client: httpx.AsyncClient, **kwargs: object) -> int:
    return (await client.post("/graphql", json=TYPENAME, **kwargs)).status_code  # type: ignore[arg-type]


async def statuses_from(app: object, peers: list[str]) -> list[int]:
    statuses = []
    for peer in peers:
        async with client_of(app, peer) as client:  # type: ignore[arg-type]
            statuses.append(await ping(client))
    return statuses


async def test_ipv6_addresses_of_one_64_share_a_bucket(key_prefix: str) -> None:
    settings = make_settings(rate_limit_per_minute=2, rate_limit_key_prefix=key_prefix)
    async with running_app(settings) as app:
        same_64 = await statuses_from(app, ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"])
        next_64 = await statuses_from(app, ["2001:db8:1:3::1"])
    assert same_64 == [200, 200, 429]
    assert next_64 == [200]


async def test_ipv4_addresses_count_one_by_one_unless_configured_wider(key_prefix: str) -> None:
    peers = ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.3"]
    async with running_app(make_settings(rate_limit_per_minute=2, rate_limit_key_prefix=key_prefix)) as app:
        by_address = await statuses_from(app, peers)
    wider = make_settings(
        rate_limit_per_minute=2, rate_limit_key_prefix=f"{key_prefix}:24", rate_limit_ipv4_prefix=24
    )
    async with running_app(wider) as app:
        by_24 = await statuses_from(app, peers)
    assert by_address == [200, 200, 200, 200]
    assert by_24 == [200, 200, 429, 429]


async def test_forwarded_for_from_an_untrusted_peer_is_warned_once_and_counted(key_prefix: str) -> None:
    UNTRUSTED_FORWARDING.warned = False  # once per process: another test may have been first
    before = REGISTRY.get_sample_value(UNTRUSTED) or 0.0
    # TRUSTED_PROXIES empty, as shipped.
    settings = make_settings(rate_limit_per_minute=100, rate_limit_key_prefix=key_prefix)
    with json_logs(logging.WARNING) as logs:
        async with running_app(settings) as app, client_of(app, "10.0.0.9") as client:
            forwarded = [await ping(client, headers={"x-forwarded-for": f"203.0.113.{n}"}) for n in range(3)]
            plain = await ping(client)
    assert forwarded == [200, 200, 200]
    assert plain == 200
    assert (REGISTRY.get_sample_value(UNTRUSTED) or 0.0) == before + 3
    warnings = [entry for entry in logs.entries() if "X-Forwarded-For" in entry["message"]]
    assert len(warnings) == 1
    assert "TRUSTED_PROXIES" in warnings[0]["message"]
    assert warnings[0]["level"] == "warning"
    assert warnings[0]["context"]["peer"] == "10.0.0.9"


async def test_forwarded_for_from_a_trusted_proxy_is_not_counted(key_prefix: str) -> None:
    before = REGISTRY.get_sample_value(UNTRUSTED) or 0.0
    settings = make_settings(
        rate_limit_per_minute=100, rate_limit_key_prefix=key_prefix, trusted_proxies="10.0.0.0/8"
    )
    async with running_app(settings) as app, client_of(app, "10.0.0.9") as proxy:
        assert await ping(proxy, headers={"x-forwarded-for": "203.0.113.1"}) == 200
    async with running_app(settings) as app, client_of(app, "192.0.2.1") as outsider:
        assert await ping(outsider, headers={"x-forwarded-for": "203.0.113.1"}) == 200
    assert (REGISTRY.get_sample_value(UNTRUSTED) or 0.0) == before + 1  # the outsider's only
