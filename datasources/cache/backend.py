"""The cache backend: Redis when a URL is configured, aiocache's memory backend otherwise."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlsplit

from aiocache import Cache, SimpleMemoryCache
from aiocache.serializers import BaseSerializer, NullSerializer, StringSerializer
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from datasources.compat.aiocache import redis_connection_options

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
        namespace=namespace,
        serializer=serializer,
        timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
        create_connection_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        **redis_connection_options(
            tls=parts.scheme == "rediss",
            socket_timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
            # After a Redis restart every pooled connection is dead and the first
            # command on each fails; once more on a fresh connection, and caching
            # resumes with the first request instead of after a skipped period.
            # Only connection errors: a timeout retried would double a hang.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        ),
    )


def refused(error: BaseException) -> bool:
    """Whether the backend failed at once (connection refused or dropped) rather than hanging.

    Asking such a backend again costs next to nothing, so it need not be left
    alone for long; a timeout costs a request its whole operation timeout.
    """
    return isinstance(error, RedisConnectionError)


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
