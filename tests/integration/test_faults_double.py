"""A double fault: Redis and Elasticsearch both down at once, then both back.

The last known value of an aggregation lived only in Redis, so with both down
the picker answered SERVICE_UNAVAILABLE. Each process now keeps a bounded copy
of its own: the picker is answered stale (marked), anything never computed is
coded SERVICE_UNAVAILABLE, and once both services return the answers are fresh
and cached again. The recovery times are printed as a [faults] line.

Within its TTL a value is fresh wherever it is held (the process holds it as
long as its Redis entry lives), so the faults start once the short TTL is over.
"""

from __future__ import annotations

import asyncio
import time

from tests.conftest import make_settings
from tests.support.graphql import ProxiedApp, data_of, error_codes, graphql, proxied_app
from tests.support.redis_server import RedisServer

PICKER = (
    "query ($s: String) { manufacturerModelCombinations(search: $s, first: 5) "
    "{ totalCount nodes { manufacturer } } }"
)
VEHICLES = "{ vehicles(first: 3) { totalCount } }"
RECOVERY_BOUND_SECONDS = 5.0
TTL_SECONDS = 1


async def seconds_until_fresh_and_cached(app: ProxiedApp, search: str) -> tuple[float, float]:
    """(seconds until the picker is fresh again, seconds until a repeat of it costs no round trip)."""
    started = time.monotonic()
    fresh_after: float | None = None
    while True:
        body = await graphql(app.client, PICKER, {"s": search})
        if fresh_after is None and "errors" not in body and not body.get("extensions", {}).get("stale"):
            fresh_after = time.monotonic() - started
        if fresh_after is not None:
            app.reset_count()
            await data_of(app.client, PICKER, {"s": search})
            if app.round_trips() == 0:
                return fresh_after, time.monotonic() - started
        elapsed = time.monotonic() - started
        assert elapsed < RECOVERY_BOUND_SECONDS, f"not fresh and cached {elapsed:.1f} s after both returned"
        await asyncio.sleep(0.1)


async def test_with_redis_and_elasticsearch_down_the_picker_answers_stale(
    sample_index: str, redis_server: RedisServer
) -> None:
    settings = make_settings(es_index=sample_index, redis_url=redis_server.url, cache_ttl_seconds=TTL_SECONDS)
    async with proxied_app(settings) as app:
        known = await data_of(app.client, PICKER, {"s": "ford"})
        await asyncio.sleep(TTL_SECONDS + 0.2)  # freshness over: only the last known value remains

        redis_server.kill()
        await app.proxy.stop()

        stale = await graphql(app.client, PICKER, {"s": "ford"})
        assert "errors" not in stale, stale
        assert stale["data"] == known
        assert stale["extensions"]["stale"] is True
        assert stale["extensions"]["staleFields"] == ["manufacturerModelCombinations"]
        for query, variables in ((PICKER, {"s": "never asked before"}), (VEHICLES, {})):
            assert error_codes(await graphql(app.client, query, variables)) == ["SERVICE_UNAVAILABLE"]

        await redis_server.start()
        await app.proxy.restart()
        returned = time.monotonic()
        fresh, cached = await seconds_until_fresh_and_cached(app, "ford")
        await data_of(app.client, VEHICLES)
        print(
            f"\n[faults] double fault: picker answered stale, uncached requests SERVICE_UNAVAILABLE; "
            f"after both returned: fresh answers in {fresh:.2f} s, caching resumed in {cached:.2f} s "
            f"(checked {time.monotonic() - returned:.2f} s after the return)"
        )
