"""Per-client rate limiting: RATE_LIMIT_PER_MINUTE over a sliding minute, shared through Redis.

Policy
- The client is the peer address, or the right-most untrusted `X-Forwarded-For`
  entry when the peer is one of TRUSTED_PROXIES (see client_address), counted
  by its network: IPv4 by /32 and IPv6 by /64 as shipped (client_bucket).
- Addresses in RATE_LIMIT_WHITELIST, the probes (`/health*`) and `/metrics`
  are never limited; RATE_LIMIT_PER_MINUTE=0 turns the limiter off.
- Every request is decided in the process, from counts in memory: the limiter
  sits in front of every request and never waits on Redis. A background task
  exchanges the counts with the other replicas through Redis every
  RATE_LIMIT_SYNC_SECONDS (RATE_LIMIT_REDIS_URL, else REDIS_URL), so all replicas
  enforce one limit, up to what they admitted since their last exchanges
  (docs/rate-limit.md gives the bound, and why the limiter's Redis is not the cache's).
- When Redis fails or is slow, the exchange is tried again after
  REDIS_RETRY_SECONDS; meanwhile each replica limits on its own counts (at most
  replicas × limit in total). Requests never fail and are never held because of it.
- Over the limit: 429 with `Retry-After` (seconds until a slot frees) and the
  `RateLimit-Limit/Remaining/Reset` headers, which every limited response carries.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.client_address import client_ip, in_networks, parse_ip
from graph.http.client_bucket import ClientBuckets
from graph.http.count_exchange import CountExchange
from graph.http.rate_limit_store import (
    ClientWindows,
    RedisCounts,
    StoreUnavailable,
    WindowDecision,
    open_redis_counts,
)
from graph.observability import metrics
from graph.settings import Network, Settings

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# The granularity of the other replicas' counts: they count for up to a bucket longer than exact.
BUCKET_SECONDS = 1.0
REDIS_RETRY_SECONDS = 5.0
EXEMPT_PATHS = frozenset({"/health", "/metrics"})
EXEMPT_PREFIXES = ("/health/",)


class RateLimiter:
    """Decides for one client address; owned by the lifespan (it holds the Redis client and the sync task)."""

    def __init__(
        self,
        *,
        limit: int,
        whitelist: list[Network],
        shared: RedisCounts | None,
        sync_seconds: float,
        buckets: ClientBuckets | None = None,
    ) -> None:
        self.limit = limit
        self._whitelist = whitelist
        self._bucket_of = (buckets or ClientBuckets()).of
        self._shared = shared
        self._sync_seconds = sync_seconds
        self._windows = ClientWindows(window_seconds=WINDOW_SECONDS, bucket_seconds=BUCKET_SECONDS)
        self._sync_lock = asyncio.Lock()
        self._exchange = CountExchange(
            lambda: self.sync(),  # looked up at each exchange (a test may observe it)
            name="rate-limit-sync",
            interval=lambda: REDIS_RETRY_SECONDS if self._on_fallback else self._sync_seconds,
        )
        # Whether the decisions include the other replicas' counts: after an exchange succeeded.
        self._shared_live = False
        self._on_fallback = False

    def is_whitelisted(self, address: str) -> bool:
        if not self._whitelist:
            return False
        parsed = parse_ip(address)
        return parsed is not None and in_networks(parsed, self._whitelist)

    def hit(self, address: str) -> tuple[WindowDecision, str]:
        """The decision for one more request from `address`, and whose counts it rests on."""
        if self._shared is not None:
            self._exchange.start()
        decision = self._windows.hit(self._bucket_of(address), limit=self.limit)
        return decision, "redis" if self._shared_live else "memory"

    async def sync(self) -> None:
        """Send this process's new admissions to Redis and take back every replica's, in one round trip.

        The background task calls it every RATE_LIMIT_SYNC_SECONDS; it never raises
        for Redis' sake (a failure is counted, logged once, and retried later).
        """
        if self._shared is None:
            return
        async with self._sync_lock:
            unsent = self._windows.take_unsent()
            if not unsent:
                return
            try:
                shared = await self._shared.exchange(unsent)
            except StoreUnavailable as error:
                self._windows.restore_unsent(unsent)
                self._fall_back(error)
                return
            except asyncio.CancelledError:
                self._windows.restore_unsent(unsent)
                raise
            self._windows.apply(unsent, shared)
            self._shared_live = True
            if self._on_fallback:
                self._on_fallback = False
                log.info("rate limiter back on Redis")

    def _fall_back(self, error: StoreUnavailable) -> None:
        self._shared_live = False
        metrics.record_rate_limit_fallback()
        if not self._on_fallback:
            self._on_fallback = True
            log.warning(
                "rate limiter falls back to per-process counting: Redis unavailable",
                extra={"context": {"error": str(error), "retry_in_seconds": REDIS_RETRY_SECONDS}},
            )

    async def close(self) -> None:
        await self._exchange.close()
        # The last admissions still reach the other replicas.
        await self.sync()
        if self._shared is not None:
            await self._shared.close()


def open_rate_limiter(settings: Settings) -> RateLimiter | None:
    """The requests per minute per client; None when RATE_LIMIT_PER_MINUTE is 0."""
    return _open(settings, limit=settings.rate_limit_per_minute, key_prefix=settings.rate_limit_key_prefix)


def open_registration_budget(settings: Settings) -> RateLimiter | None:
    """New persisted documents per minute per client; None when PERSISTED_REGISTRATIONS_PER_MINUTE is 0."""
    return _open(
        settings,
        limit=settings.persisted_registrations_per_minute,
        key_prefix=f"{settings.rate_limit_key_prefix}:registrations",
    )


def _open(settings: Settings, *, limit: int, key_prefix: str) -> RateLimiter | None:
    if limit == 0:
        return None
    redis_url = settings.limiter_redis_url
    shared = (
        open_redis_counts(
            redis_url=redis_url,
            key_prefix=key_prefix,
            window_seconds=WINDOW_SECONDS,
            bucket_seconds=BUCKET_SECONDS,
        )
        if redis_url
        else None
    )
    return RateLimiter(
        limit=limit,
        whitelist=settings.rate_limit_whitelist,
        shared=shared,
        sync_seconds=settings.rate_limit_sync_seconds,
        buckets=ClientBuckets(
            ipv4_prefix=settings.rate_limit_ipv4_prefix, ipv6_prefix=settings.rate_limit_ipv6_prefix
        ),
    )


def _headers(decision: WindowDecision) -> list[tuple[bytes, bytes]]:
    return [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(decision.retry_after).encode()),
    ]


def _rejection_body(path: str, decision: WindowDecision) -> bytes:
    details = (
        f"More than {decision.limit} requests per minute from this address; "
        f"retry in {decision.retry_after} s."
    )
    body: dict[str, Any]
    if path.startswith("/graphql"):
        body = {
            "errors": [
                {
                    "message": f"Too many requests. {details}",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": decision.retry_after},
                }
            ]
        }
    else:
        body = {"error": "Too many requests", "details": details}
    return orjson.dumps(body)


async def _reject(path: str, decision: WindowDecision, send: Send) -> None:
    body = _rejection_body(path, decision)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(decision.retry_after).encode()),
        *_headers(decision),
    ]
    if path.startswith("/api/v1/"):
        headers.append((b"x-api-version", b"v1"))  # the legacy clients expect it on every answer
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def is_exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: list[Network]) -> None:
        self.app = app
        self._trusted = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = _limiter_of(scope)
        if limiter is None or scope["type"] != "http" or is_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        address = client_ip(scope, self._trusted)
        if limiter.is_whitelisted(address):
            await self.app(scope, receive, send)
            return
        decision, backend = limiter.hit(address)
        if not decision.allowed:
            metrics.record_rate_limit_rejection(backend)
            await _reject(scope["path"], decision, send)
            return
        extra = _headers(decision)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _limiter_of(scope: Scope) -> RateLimiter | None:
    # The lifespan opened it; without a lifespan (or with the limit at 0) nothing is limited.
    services = scope.get("state", {}).get("services")
    limiter = getattr(services, "rate_limiter", None)
    return limiter if isinstance(limiter, RateLimiter) else None
