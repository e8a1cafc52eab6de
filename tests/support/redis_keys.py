"""Removing what a test wrote to the shared Redis, by key pattern."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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


@asynccontextmanager
async def own_key_prefix(kind: str) -> AsyncIterator[str]:
    """A Redis key prefix of the caller's own (`autos-graph-test:<kind>:<random>`), its keys removed after."""
    prefix = f"autos-graph-test:{kind}:{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        await delete_matching(f"{prefix}:*")
