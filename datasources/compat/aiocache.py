"""aiocache's undocumented names that the cache backend and its batches rely on.

aiocache documents its cache API (get, set, multi_get, raw, namespaces, TTLs)
but not how its Redis backend is built. Two things here need that: the batch
client (datasources/cache/batch_client.py) sends each batch as one command on
the redis-py client aiocache holds, under the same keys aiocache reads, because
aiocache's own calls add a transaction and per-call wrappers to every batch;
and the backend (datasources/cache/backend.py) hands redis-py's connection pool
its timeouts and retry policy, which aiocache only passes through. So this
module holds:

- the redis-py client of a Redis cache (`RedisCache.client`) and that its
  pool never decodes (values come back as bytes);
- the key scheme (`build_key`: `namespace:key`), so what a batch writes
  aiocache reads and the other way round;
- the pass-through of connection pool options and TLS (`connection_pool_kwargs`,
  `ssl`).

tests/unit/test_compat_aiocache.py pins each of them, so an aiocache upgrade
that changes one fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiocache import Cache, RedisCache
from redis.asyncio import Redis
from redis.asyncio.retry import Retry


def redis_client(cache: RedisCache) -> Redis:
    """The redis-py client `cache` sends its commands on; its replies are bytes, never decoded."""
    client = cache.client
    if not isinstance(client, Redis):
        raise TypeError(f"aiocache's RedisCache.client is a {type(client).__name__}, not redis-py's Redis")
    return client


def key_builder(cache: Cache) -> Callable[[str], str]:
    """What turns a key into the key `cache` stores it under in its backend (its namespace prepended)."""
    build: Callable[[str], str] = cache.build_key
    return build


def redis_connection_options(*, socket_timeout: float, retry: Retry, tls: bool) -> dict[str, Any]:
    """Keyword arguments of `Cache(Cache.REDIS, ...)` that reach redis-py's connection pool."""
    return {
        "ssl": tls,
        "connection_pool_kwargs": {"socket_timeout": socket_timeout, "retry": retry},
    }
