"""aiocache's undocumented names that the cache backend relies on.

aiocache documents its cache API (get, set, multi_get, raw, namespaces, TTLs)
but not how its Redis backend is built. The backend
(datasources/cache/backend.py) hands redis-py's connection pool its timeouts
and retry policy, which aiocache only passes through: this module holds that
pass-through of connection pool options and TLS (`connection_pool_kwargs`,
`ssl`).

tests/unit/test_compat_aiocache.py pins it, so an aiocache upgrade that changes
it fails there.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry


def redis_connection_options(*, socket_timeout: float, retry: Retry, tls: bool) -> dict[str, Any]:
    """Keyword arguments of `Cache(Cache.REDIS, ...)` that reach redis-py's connection pool."""
    return {
        "ssl": tls,
        "connection_pool_kwargs": {"socket_timeout": socket_timeout, "retry": retry},
    }
