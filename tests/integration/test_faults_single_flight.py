"""Requests sharing one aggregation keep their answer when the request that started it is cancelled.

Elasticsearch hangs (a blackholed proxy), so the shared computation of the
picker aggregation is in flight long enough for others to join it. Then the
request that started it is cancelled, in the two ways that happen in service:
a non-null sibling field fails (graphql-core cancels the remaining fields), or
the client disconnects. The requests that joined must still get the picker's
last known value, marked stale, not a cancellation turned into a 500.

The failing sibling is a `facets` field with nothing known for its filter,
waiting on the same facets computation as an earlier request: that
computation started SIBLING_LEAD_SECONDS earlier, so it times out (and the
sibling fails) that long before the picker's own Elasticsearch call would.

The order of events rests on timers, so each margin is at least 5x what it
guards: the waiters join 0.2 s after the first request, 10x before anything of
it can time out (REQUEST_TIMEOUT_SECONDS - SIBLING_LEAD_SECONDS = 2 s), and the
sibling fails a second before the picker's own call would.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.support.graphql import ProxiedApp, error_codes, graphql, proxied_app

PICKER = "query ($s: String) { manufacturerModelCombinations(search: $s, first: 5) { totalCount } }"
FACETS = "query ($m: String) { facets(filter: {manufacturer: $m}) { totalCount } }"
# `facets` is non-null: when it fails, graphql-core cancels the picker beside it.
WITH_FAILING_SIBLING = (
    "query ($s: String, $m: String) { facets(filter: {manufacturer: $m}) { totalCount } "
    "manufacturerModelCombinations(search: $s, first: 5) { totalCount } }"
)
WAITERS = 5
REQUEST_TIMEOUT_SECONDS = 3.0
SIBLING_LEAD_SECONDS = 1.0


async def joined_by_waiters(app: ProxiedApp, first: asyncio.Task[Any], search: str) -> list[Any]:
    """Waiters on the same key, started once `first` is waiting on the hung Elasticsearch."""
    await asyncio.sleep(0.15)
    waiters = [asyncio.create_task(graphql(app.client, PICKER, {"s": search})) for _ in range(WAITERS)]
    await asyncio.sleep(0.05)
    return waiters


@pytest.mark.usefixtures("cold_redis")
@pytest.mark.parametrize("cancelled_by", ["a failing sibling field", "a client disconnect"])
async def test_waiters_keep_their_answer_when_the_first_request_is_cancelled(
    sample_index: str, cancelled_by: str
) -> None:
    search = f"single flight {cancelled_by}"
    settings = make_settings(
        es_index=sample_index, cache_ttl_seconds=1, es_request_timeout_seconds=REQUEST_TIMEOUT_SECONDS
    )
    async with proxied_app(settings) as app:
        known = await graphql(app.client, PICKER, {"s": search})
        assert "errors" not in known
        await asyncio.sleep(1.2)  # past the TTL: only the last known value remains
        app.proxy.hang()
        if cancelled_by == "a client disconnect":
            first = asyncio.create_task(graphql(app.client, PICKER, {"s": search}))
            waiters = await joined_by_waiters(app, first, search)
            first.cancel()
        else:
            unknown = {"m": f"nothing known {search}"}
            earlier = asyncio.create_task(graphql(app.client, FACETS, unknown))
            await asyncio.sleep(SIBLING_LEAD_SECONDS)
            first = asyncio.create_task(graphql(app.client, WITH_FAILING_SIBLING, {"s": search, **unknown}))
            waiters = await joined_by_waiters(app, first, search)
            assert error_codes(await earlier) == ["SERVICE_UNAVAILABLE"]
        answers = await asyncio.gather(*waiters, return_exceptions=True)
        for answer in answers:
            assert isinstance(answer, dict), f"a waiter failed: {answer!r}"
            assert answer["data"] == known["data"]
            assert answer["extensions"]["stale"] is True
        if cancelled_by == "a failing sibling field":
            failed = await first
            assert failed["data"] is None
            assert "SERVICE_UNAVAILABLE" in error_codes(failed)
        else:
            with pytest.raises(asyncio.CancelledError):
                await first
