"""The cache backend: Redis when a URL is configured, aiocache's memory backend otherwise."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlsplit

from aiocache import Cache, SimpleMemoryCache
from aiocache.serializers import BaseSerializer, NullSerializer, StringSerializer

# Redis must never slow a request down by much: a cache that does not answer
# quickly is treated as a miss, so these bounds are deliberately tight.
REDIS_OPERATION_TIMEOUT_SECONDS = 0.25
REDIS_CONNECT_TIMEOUT_SECONDS = 0.25


def open_cache(*, redis_url: str | None, namespace: str, binary: bool = False) -> Cache:
    """A cache of text values, or with `binary` one that stores and returns bytes as they are."""
    serializer: BaseSerializer = NullSerializer(encoding=None) if binary else StringSerializer()
    if redis_url is None:
        return Cache(
            Cache.MEMORY,
            namespace=namespace,
            serializer=serializer,
            timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
        )
    parts = urlsplit(redis_url)
    database = parts.path.strip("/") or "0"
    return Cache(
        Cache.REDIS,
        endpoint=parts.hostname or "127.0.0.1",
        port=parts.port or 6379,
        db=int(database) if database.isdigit() else 0,
        password=unquote(parts.password) if parts.password else None,
        ssl=parts.scheme == "rediss",
        namespace=namespace,
        serializer=serializer,
        timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
        create_connection_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        connection_pool_kwargs={"socket_timeout": REDIS_OPERATION_TIMEOUT_SECONDS},
    )


def cache_kind(cache: Cache) -> str:
    return "memory" if isinstance(cache, SimpleMemoryCache) else "redis"


async def cache_status(cache: Cache) -> str:
    """'up', 'down' or 'memory': what /health/ready reports about the cache."""
    if isinstance(cache, SimpleMemoryCache):
        return "memory"
    try:
        # `raw` hands a command to the backend's own client: PING for Redis.
        await asyncio.wait_for(cache.raw("ping"), timeout=REDIS_OPERATION_TIMEOUT_SECONDS * 2)
    except Exception:  # any failure means the same thing to a probe: not usable now
        return "down"
    return "up"


async def close_cache(cache: Cache) -> None:
    try:
        await cache.close()
    except Exception:  # closing a dead connection must not block shutdown
        return
