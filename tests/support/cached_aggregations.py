"""Emptying the Redis aggregation cache of one test index, for tests that need it cold."""

from __future__ import annotations

import redis.asyncio as redis

from tests.conftest import REDIS_URL


async def delete_cached_aggregations(index: str) -> None:
    client = redis.from_url(REDIS_URL)
    try:
        async for key in client.scan_iter(match=f"autos-graph:{index}*"):
            await client.delete(key)
    finally:
        await client.aclose()
