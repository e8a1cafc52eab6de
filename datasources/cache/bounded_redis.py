"""A redis-py client whose every wait is bounded: a slow Redis is a failure to handle, never a slow request.

The callers run their own scripts on Redis beside aiocache's cache (the rate
limiter's exchange, the persisted documents' store); each gets a small pool of
its own, connecting lazily, with no retries (the caller decides when to try
again rather than stacking timeouts).
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


def bounded_redis(
    url: str, *, max_connections: int, operation_timeout: float, connect_timeout: float
) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        # Waiting for a free connection is bounded like any other Redis operation.
        timeout=operation_timeout,
        socket_timeout=operation_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 0),
    )
    # from_pool hands the pool to the client, so closing the client closes its connections.
    return Redis.from_pool(pool)
