"""Removing what a test wrote to the shared Redis, by key pattern."""

from __future__ import annotations

import redis.asyncio as redis

from tests.conftest import REDIS_URL


async def delete_matching(*patterns: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for pattern in patterns:
            keys = [key async for key in client.scan_iter(match=pattern)]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()
