"""Sliding-window request counters: shared in Redis, or per process in memory.

Both keep a log of the accepted requests of the last window per key (a sorted
set in Redis, a deque in memory), so the limit is exact over any 60 seconds,
with no burst at window edges. Rejected requests are not logged, so a client
that keeps hammering gets back in as soon as its oldest request ages out.

Redis does the whole check in one Lua script (EVAL is core Redis): atomic
across replicas, one round trip, and timed by Redis' own clock so replicas
with skewed clocks still agree.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import deque
from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

# The limiter sits in front of every request: a Redis that does not answer
# within these bounds counts as down (the caller then falls back), it never
# holds a request for long.
REDIS_CONNECT_TIMEOUT_SECONDS = 0.1
REDIS_OPERATION_TIMEOUT_SECONDS = 0.15
REDIS_MAX_CONNECTIONS = 32

_SLIDING_WINDOW = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_us = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_us)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, math.ceil(window_us / 1000))
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset_us = window_us
if oldest[2] then reset_us = tonumber(oldest[2]) + window_us - now end
return {allowed, count, reset_us}
"""


class StoreUnavailable(Exception):
    """The shared store did not answer in time; the caller decides what that means."""


@dataclass(frozen=True, slots=True)
class WindowDecision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until the oldest request in the window ages out, freeing one slot.
    reset_seconds: float

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_seconds))


class RedisWindowStore:
    def __init__(self, client: Redis, *, key_prefix: str) -> None:
        self._client = client
        self._prefix = key_prefix
        self._script = client.register_script(_SLIDING_WINDOW)

    async def hit(self, key: str, *, limit: int, window_seconds: float) -> WindowDecision:
        member = os.urandom(8).hex()  # unique per request, so two in one microsecond both count
        try:
            async with asyncio.timeout(REDIS_OPERATION_TIMEOUT_SECONDS * 2):
                reply = await self._script(
                    keys=[f"{self._prefix}:{key}"],
                    args=[limit, int(window_seconds * 1_000_000), member],
                )
        except (RedisError, OSError, TimeoutError) as error:
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
        allowed, count, reset_us = (int(value) for value in reply)
        return WindowDecision(
            allowed=bool(allowed),
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=max(0, reset_us) / 1_000_000,
        )

    async def close(self) -> None:
        try:
            await self._client.aclose()
        except Exception:  # closing a dead connection must not block shutdown
            return


def open_redis_window_store(*, redis_url: str, key_prefix: str) -> RedisWindowStore:
    """A store whose client connects lazily: opening it never waits for Redis."""
    pool = BlockingConnectionPool.from_url(
        redis_url,
        max_connections=REDIS_MAX_CONNECTIONS,
        # Waiting for a free connection is bounded like any other Redis operation.
        timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
        socket_timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        # No retries: a failed check falls back at once instead of stacking timeouts.
        retry=Retry(NoBackoff(), 0),
    )
    # from_pool hands the pool to the client, so closing the client closes its connections.
    return RedisWindowStore(Redis.from_pool(pool), key_prefix=key_prefix)


class MemoryWindowStore:
    """The same window kept in this process only: the fallback when Redis is down."""

    # Bounds the memory a flood of distinct addresses can take; idle keys are swept first.
    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._log: dict[str, deque[float]] = {}

    def hit(self, key: str, *, limit: int, window_seconds: float) -> WindowDecision:
        now = time.monotonic()
        horizon = now - window_seconds
        entries = self._log.get(key)
        if entries is None:
            if len(self._log) >= self.MAX_KEYS:
                self._sweep(horizon)
            entries = self._log[key] = deque()
        while entries and entries[0] <= horizon:
            entries.popleft()
        allowed = len(entries) < limit
        if allowed:
            entries.append(now)
        reset = entries[0] + window_seconds - now if entries else window_seconds
        return WindowDecision(
            allowed=allowed, limit=limit, remaining=max(0, limit - len(entries)), reset_seconds=reset
        )

    def _sweep(self, horizon: float) -> None:
        for key in [key for key, entries in self._log.items() if not entries or entries[-1] <= horizon]:
            del self._log[key]
        # Still full of active keys: forget the oldest ones rather than grow without bound.
        while len(self._log) >= self.MAX_KEYS:
            del self._log[next(iter(self._log))]
