"""A query-cost budget per client: COST_BUDGET_PER_MINUTE points, restored steadily, shared through Redis.

A client (identified as the request limiter identifies it: its network, `client_bucket`) holds
a bucket of `capacity` points that refills at `capacity / 60` points a
second. An operation may start when its requested cost (the static estimate)
is within what is left; it is charged its requested cost at once, so
concurrent requests cannot all pass on the same points, and settled at its
actual cost when the answer is ready (a kept answer carries its actual cost).

Decisions are made in the process, from memory, like the request limiter's:
the points spent here go to Redis as increments of per-second buckets
(RedisCounts, the limiter's exchange in the limiter's own Redis, under a key prefix of its own) every
RATE_LIMIT_SYNC_SECONDS, and the other replicas' points come back in the same
round trip and are drained for the time since they were spent. When Redis is
down each replica budgets on its own (at most replicas × capacity in all),
and the exchange is retried; requests never wait on Redis.

Whitelisted addresses (RATE_LIMIT_WHITELIST) have no budget.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any, NamedTuple

import orjson
from starlette.types import Scope

from graph.http.client_address import client_ip, in_networks, parse_ip
from graph.http.client_bucket import ClientBuckets
from graph.http.count_exchange import CountExchange
from graph.http.rate_limit_store import RedisCounts, SharedWindow, StoreUnavailable, open_redis_counts
from graph.settings import Network, Settings

log = logging.getLogger(__name__)

COST_BUDGET_EXHAUSTED = "COST_BUDGET_EXHAUSTED"
REFILL_SECONDS = 60.0
# Redis keeps each replica's points per second this long: a spent budget refills within it.
BUCKET_SECONDS = 1.0
REDIS_RETRY_SECONDS = 5.0
KEY_SUFFIX = "cost"


class ThrottleStatus(NamedTuple):
    maximum_available: int
    currently_available: int
    # Points per second.
    restore_rate: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


class Charge(NamedTuple):
    """A decision on one operation: `allowed` or not, with what the client had left.

    Named tuples rather than dataclasses: one of each is made per request on the hot path."""

    client: str
    requested: int
    allowed: bool
    status: ThrottleStatus
    # Seconds until the requested cost fits (0 when allowed).
    retry_after: int


class _Bucket:
    __slots__ = ("at", "level", "seen", "sent")

    def __init__(self, now: float) -> None:
        # Points in use; they drain at the restore rate.
        self.level = 0.0
        self.at = now
        # This process's points per Redis bucket, as sent; the other replicas' as last seen.
        self.sent: dict[int, int] = {}
        self.seen: dict[int, int] = {}


class CostBudget:
    """Owned by the lifespan (it holds the Redis client and the exchange task)."""

    MAX_CLIENTS = 50_000

    def __init__(
        self,
        *,
        per_minute: int,
        whitelist: list[Network],
        trusted_proxies: list[Network],
        shared: RedisCounts | None,
        sync_seconds: float,
        buckets: ClientBuckets | None = None,
    ) -> None:
        self.capacity = per_minute
        self.rate = per_minute / REFILL_SECONDS
        self._shown_rate = round(self.rate, 3)
        self._whitelist = whitelist
        self._trusted = trusted_proxies
        self._bucket_of = (buckets or ClientBuckets()).of
        self._shared = shared
        self._sync_seconds = sync_seconds
        self._buckets: dict[str, _Bucket] = {}
        self._unsent: dict[str, int] = {}
        self._sync_lock = asyncio.Lock()
        self._exchange = CountExchange(
            lambda: self.sync(),  # looked up at each exchange (a test may observe it)
            name="cost-budget-sync",
            interval=lambda: REDIS_RETRY_SECONDS if self._on_fallback else self._sync_seconds,
        )
        self._on_fallback = False

    def client_of(self, scope: Scope) -> str | None:
        """The budget's client for a request (the limiter's), or None for a whitelisted address."""
        address = client_ip(scope, self._trusted)
        if self._whitelist:
            parsed = parse_ip(address)
            if parsed is not None and in_networks(parsed, self._whitelist):
                return None
        return self._bucket_of(address)

    def take(self, client: str, requested: int) -> Charge:
        """Charge `requested` points if they are left (the operation may run), else refuse."""
        if self._shared is not None:
            self._exchange.start()
        bucket = self._drained(client, time.monotonic())
        available = self.capacity - bucket.level
        if requested > available:
            wait = math.ceil((requested - available) / self.rate) if self.rate else 0
            return Charge(client, requested, False, self._status(bucket), max(1, wait))
        bucket.level += requested
        return Charge(client, requested, True, self._status(bucket), 0)

    def settle(self, charge: Charge, actual: int) -> ThrottleStatus:
        """Replace an allowed charge's requested cost by the actual cost; what the client has left."""
        bucket = self._drained(charge.client, time.monotonic())
        bucket.level = max(0.0, bucket.level + actual - charge.requested)
        if actual > 0:
            self._unsent[charge.client] = self._unsent.get(charge.client, 0) + actual
        return self._status(bucket)

    def _status(self, bucket: _Bucket) -> ThrottleStatus:
        left = max(0, math.floor(self.capacity - bucket.level))
        return ThrottleStatus(self.capacity, left, self._shown_rate)

    def _drained(self, client: str, now: float) -> _Bucket:
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.MAX_CLIENTS:
                self._sweep(now)
            bucket = self._buckets[client] = _Bucket(now)
        elif bucket.level:
            bucket.level = max(0.0, bucket.level - (now - bucket.at) * self.rate)
        bucket.at = now
        return bucket

    def _sweep(self, now: float) -> None:
        full = [key for key, b in self._buckets.items() if b.level - (now - b.at) * self.rate <= 0]
        for key in full:
            if key not in self._unsent:
                del self._buckets[key]
        while len(self._buckets) >= self.MAX_CLIENTS:
            del self._buckets[next(iter(self._buckets))]

    async def sync(self) -> None:
        """Send this process's points to Redis and take the other replicas' back, in one round trip."""
        if self._shared is None:
            return
        async with self._sync_lock:
            unsent, self._unsent = self._unsent, {}
            if not unsent:
                return
            try:
                shared = await self._shared.exchange(unsent)
            except (StoreUnavailable, asyncio.CancelledError) as error:
                for key, points in unsent.items():
                    self._unsent[key] = self._unsent.get(key, 0) + points
                if isinstance(error, asyncio.CancelledError):
                    raise
                self._fall_back(error)
                return
            self._apply(unsent, shared)
            if self._on_fallback:
                self._on_fallback = False
                log.info("cost budget back on Redis")

    def _apply(self, sent: dict[str, int], shared: dict[str, SharedWindow]) -> None:
        now = time.monotonic()
        for client, points in sent.items():
            window = shared.get(client)
            bucket = self._buckets.get(client)
            if window is None or bucket is None:
                continue
            bucket.sent[window.bucket] = bucket.sent.get(window.bucket, 0) + points
            live = dict(window.counts)
            bucket.sent = {b: n for b, n in bucket.sent.items() if b in live}
            bucket.seen = {b: n for b, n in bucket.seen.items() if b in live}
            arrived = 0.0
            for number, count in live.items():
                theirs = count - bucket.sent.get(number, 0)
                new = theirs - bucket.seen.get(number, 0)
                if new > 0:
                    # Spent up to a bucket ago (by Redis' clock): drained since, as if spent here then.
                    age = max(0.0, window.now_us / 1_000_000 - (number + 1) * BUCKET_SECONDS)
                    arrived += max(0.0, new - age * self.rate)
                    bucket.seen[number] = theirs
            if arrived:
                self._drained(client, now).level += arrived

    def _fall_back(self, error: BaseException) -> None:
        if not self._on_fallback:
            self._on_fallback = True
            log.warning(
                "cost budget falls back to per-process budgets: Redis unavailable",
                extra={"context": {"error": str(error), "retry_in_seconds": REDIS_RETRY_SECONDS}},
            )

    async def close(self) -> None:
        await self._exchange.close()
        await self.sync()  # the last points still reach the other replicas
        if self._shared is not None:
            await self._shared.close()


def open_cost_budget(settings: Settings) -> CostBudget | None:
    if settings.cost_budget_per_minute == 0:
        return None
    shared = (
        open_redis_counts(
            redis_url=settings.limiter_redis_url,
            key_prefix=f"{settings.rate_limit_key_prefix}:{KEY_SUFFIX}",
            window_seconds=REFILL_SECONDS,
            bucket_seconds=BUCKET_SECONDS,
        )
        if settings.limiter_redis_url
        else None
    )
    return CostBudget(
        per_minute=settings.cost_budget_per_minute,
        whitelist=settings.rate_limit_whitelist,
        trusted_proxies=settings.trusted_proxies,
        shared=shared,
        sync_seconds=settings.rate_limit_sync_seconds,
        buckets=ClientBuckets(
            ipv4_prefix=settings.rate_limit_ipv4_prefix, ipv6_prefix=settings.rate_limit_ipv6_prefix
        ),
    )


def refusal_message(charge: Charge) -> str:
    left = charge.status.currently_available
    return (
        f"Query cost budget exhausted: this operation costs {charge.requested} points and {left} of "
        f"{charge.status.maximum_available} are left; {charge.status.restore_rate:g} points come back "
        f"per second, retry in {charge.retry_after} s."
    )


def refusal_headers(charge: Charge) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"retry-after", str(charge.retry_after).encode()),
    ]


def rest_refusal_body(charge: Charge) -> bytes:
    return orjson.dumps({"error": "Query cost budget exhausted", "details": refusal_message(charge)})
