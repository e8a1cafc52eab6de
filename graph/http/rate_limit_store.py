"""Request counters for the rate limiter: decided in the process, shared through Redis in batches.

`ClientWindows` decides every request alone, in memory, without waiting on
anything: a client's count is this process's own admissions of the last
window (a log of their times, exact) plus what the other replicas admitted
(per-second buckets, as Redis last reported them). Rejected requests are not
counted, so a client that keeps hammering gets back in as soon as its oldest
counted request ages out.

`RedisCounts` exchanges those counts with the other replicas: the admissions
this process made since the last exchange go up as increments of per-second
buckets (one hash per client), and every replica's buckets come back, in one
pipelined round trip for all clients. Buckets are stamped and aged by Redis'
clock, so replicas with skewed clocks still agree; this process knows which
increments it sent to which bucket, so it never counts its own twice.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from datasources.cache.bounded_redis import bounded_redis

# The limiter only talks to Redis off the request path, but a Redis that does not
# answer within these bounds counts as down: the exchange is retried later rather
# than holding the sync loop or the shutdown.
REDIS_CONNECT_TIMEOUT_SECONDS = 0.1
REDIS_OPERATION_TIMEOUT_SECONDS = 0.15
# One exchange at a time, plus the final one at shutdown.
REDIS_MAX_CONNECTIONS = 2
# Part of every key: the sorted sets of the earlier per-request limiter, which replicas of
# an older release may still write under `<prefix>:<client>` during a rollout, are left alone.
COUNTS_KEY = "counts"
# Clients per script call: bounds how long one call holds Redis; the calls share one round trip.
KEYS_PER_SCRIPT = 500

# KEYS: one hash per client (field: bucket number, value: admissions of every replica).
# ARGV: bucket length µs, window µs, then this process's new admissions per key.
# Returns {now µs, current bucket, {bucket, count, bucket, count, ...} per key}.
_EXCHANGE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local bucket_us = tonumber(ARGV[1])
local window_us = tonumber(ARGV[2])
local current = math.floor(now / bucket_us)
local ttl_ms = math.ceil((window_us + bucket_us) / 1000)
local replies = {now, current}
for i, key in ipairs(KEYS) do
  local added = tonumber(ARGV[i + 2])
  if added > 0 then
    redis.call('HINCRBY', key, string.format('%d', current), added)
    redis.call('PEXPIRE', key, ttl_ms)
  end
  local fields = redis.call('HGETALL', key)
  local live = {}
  for j = 1, #fields, 2 do
    local bucket = tonumber(fields[j])
    if (bucket + 1) * bucket_us + window_us <= now then
      redis.call('HDEL', key, fields[j])
    else
      live[#live + 1] = bucket
      live[#live + 1] = tonumber(fields[j + 1])
    end
  end
  replies[#replies + 1] = live
end
return replies
"""


class StoreUnavailable(Exception):
    """The shared store did not answer in time; the caller decides what that means."""


@dataclass(frozen=True, slots=True)
class WindowDecision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until enough counted requests age out for one more to be allowed.
    reset_seconds: float

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_seconds))


@dataclass(frozen=True, slots=True)
class SharedWindow:
    """One client's admissions by every replica, as Redis counted them in an exchange."""

    now_us: int  # Redis' clock at the exchange
    bucket: int  # the bucket this process's increments went into
    counts: tuple[tuple[int, int], ...]  # (bucket, admissions) still in the window


class _Client:
    """One client's counts, kept small: a process may hold tens of thousands of clients."""

    __slots__ = ("head", "others", "others_total", "own", "sent")

    def __init__(self) -> None:
        # This process's admissions in monotonic seconds, oldest first, from index `head` on:
        # expired ones are cut off in chunks, so that dropping one copies nothing.
        self.own = array("d")
        self.head = 0
        # The other replicas' admissions: (local time the bucket leaves the window, count), oldest first.
        self.others: tuple[tuple[float, int], ...] = ()
        self.others_total = 0
        # This process's admissions per Redis bucket, as sent.
        self.sent: dict[int, int] = {}


class ClientWindows:
    """Sliding-window counts per client, in this process; the other replicas' share comes from `apply`."""

    # Bounds the memory a flood of distinct addresses can take; idle clients are swept first.
    MAX_CLIENTS = 50_000

    def __init__(self, *, window_seconds: float, bucket_seconds: float) -> None:
        self.window_seconds = window_seconds
        self.bucket_seconds = bucket_seconds
        self._clients: dict[str, _Client] = {}
        self._unsent: dict[str, int] = {}

    def hit(self, key: str, *, limit: int) -> WindowDecision:
        now = time.monotonic()
        window = self.window_seconds
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) >= self.MAX_CLIENTS:
                self._sweep(now)
            client = self._clients[key] = _Client()
        own = client.own
        size = len(own)
        head = client.head
        horizon = now - window
        while head < size and own[head] <= horizon:
            head += 1
        if head and head * 2 >= size:
            del own[:head]
            size -= head
            head = 0
        client.head = head
        others = client.others
        if others and others[0][0] <= now:
            left = 0
            while left < len(others) and others[left][0] <= now:
                client.others_total -= others[left][1]
                left += 1
            client.others = others[left:]
        count = size - head + client.others_total
        allowed = count < limit
        if allowed:
            own.append(now)
            count += 1
            self._unsent[key] = self._unsent.get(key, 0) + 1
        return WindowDecision(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=self._time_until_expired(client, max(1, count - limit + 1), now),
        )

    def _time_until_expired(self, client: _Client, entries: int, now: float) -> float:
        """Seconds until the oldest `entries` counted requests have left the window."""
        own, head, others, window = client.own, client.head, client.others, self.window_seconds
        if entries == 1:
            oldest = own[head] + window if head < len(own) else math.inf
            first = min(oldest, others[0][0] if others else math.inf)
            return first - now if first != math.inf else window
        expiring: Iterator[tuple[float, int]] = heapq.merge(
            ((own[index] + window, 1) for index in range(head, len(own))), others
        )
        for at, count in expiring:
            entries -= count
            if entries <= 0:
                return at - now
        return window

    def take_unsent(self) -> dict[str, int]:
        """This process's admissions per client since the last call, to be sent to the other replicas."""
        unsent, self._unsent = self._unsent, {}
        return unsent

    def restore_unsent(self, unsent: dict[str, int]) -> None:
        """Admissions that could not be sent: they go with the next exchange."""
        for key, count in unsent.items():
            self._unsent[key] = self._unsent.get(key, 0) + count

    def apply(self, sent: dict[str, int], shared: dict[str, SharedWindow]) -> None:
        """Take the other replicas' counts from an exchange that carried `sent`, just answered."""
        received_at = time.monotonic()
        bucket_us = self.bucket_seconds * 1_000_000
        window_us = self.window_seconds * 1_000_000
        for key, increment in sent.items():
            client = self._clients.get(key)
            window = shared.get(key)
            if client is None or window is None:
                continue
            live = dict(window.counts)
            mine = client.sent
            mine[window.bucket] = mine.get(window.bucket, 0) + increment
            for bucket in [bucket for bucket in mine if bucket not in live]:
                del mine[bucket]
            others: list[tuple[float, int]] = []
            total = 0
            for bucket, count in sorted(live.items()):
                theirs = count - mine.get(bucket, 0)
                if theirs > 0:
                    leaves = received_at + ((bucket + 1) * bucket_us + window_us - window.now_us) / 1_000_000
                    others.append((leaves, theirs))
                    total += theirs
            client.others = tuple(others)
            client.others_total = total

    def __len__(self) -> int:
        return len(self._clients)

    def _sweep(self, now: float) -> None:
        horizon = now - self.window_seconds
        idle = [
            key
            for key, client in self._clients.items()
            if (client.head == len(client.own) or client.own[-1] <= horizon)
            and (not client.others or client.others[-1][0] <= now)
        ]
        for key in idle:
            del self._clients[key]
        # Still full of active clients: forget the oldest ones rather than grow without bound.
        while len(self._clients) >= self.MAX_CLIENTS:
            del self._clients[next(iter(self._clients))]


class RedisCounts:
    def __init__(
        self, client: Redis, *, key_prefix: str, window_seconds: float, bucket_seconds: float
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._bucket_us = int(bucket_seconds * 1_000_000)
        self._window_us = int(window_seconds * 1_000_000)

    async def exchange(self, increments: dict[str, int]) -> dict[str, SharedWindow]:
        """Add this process's admissions per client and read every replica's: one round trip."""
        keys = list(increments)
        chunks = [keys[start : start + KEYS_PER_SCRIPT] for start in range(0, len(keys), KEYS_PER_SCRIPT)]
        try:
            async with asyncio.timeout(REDIS_OPERATION_TIMEOUT_SECONDS * 2):
                async with self._client.pipeline(transaction=False) as pipe:
                    for chunk in chunks:
                        pipe.eval(
                            _EXCHANGE,
                            len(chunk),
                            *[f"{self._prefix}:{COUNTS_KEY}:{key}" for key in chunk],
                            self._bucket_us,
                            self._window_us,
                            *[increments[key] for key in chunk],
                        )
                    replies = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
        shared: dict[str, SharedWindow] = {}
        for chunk, reply in zip(chunks, replies, strict=True):
            now_us, bucket, *lives = reply
            for key, live in zip(chunk, lives, strict=True):
                counts = tuple((int(live[index]), int(live[index + 1])) for index in range(0, len(live), 2))
                shared[key] = SharedWindow(now_us=int(now_us), bucket=int(bucket), counts=counts)
        return shared

    async def close(self) -> None:
        try:
            await self._client.aclose()
        except Exception:  # closing a dead connection must not block shutdown
            return


def open_redis_counts(
    *, redis_url: str, key_prefix: str, window_seconds: float, bucket_seconds: float
) -> RedisCounts:
    """Counts whose client connects lazily: opening them never waits for Redis."""
    return RedisCounts(
        bounded_redis(
            redis_url,
            max_connections=REDIS_MAX_CONNECTIONS,
            operation_timeout=REDIS_OPERATION_TIMEOUT_SECONDS,
            connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        ),
        key_prefix=key_prefix,
        window_seconds=window_seconds,
        bucket_seconds=bucket_seconds,
    )
