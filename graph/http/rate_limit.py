"""Per-client rate limiting: RATE_LIMIT_PER_MINUTE over a sliding minute, shared through Redis.

Policy
- The client is the peer address, or the right-most untrusted `X-Forwarded-For`
  entry when the peer is one of TRUSTED_PROXIES (see client_address).
- Addresses in RATE_LIMIT_WHITELIST, the probes (`/health*`) and `/metrics`
  are never limited; RATE_LIMIT_PER_MINUTE=0 turns the limiter off.
- The window lives in Redis (REDIS_URL), so all replicas enforce one limit.
- When Redis fails or is slow, this process counts on its own for
  REDIS_RETRY_SECONDS before asking Redis again: every replica then allows up
  to the limit by itself (at most replicas × limit in total). The limiter
  never fails a request and never holds one for longer than Redis' tight timeouts.
- Over the limit: 429 with `Retry-After` (seconds until a slot frees) and the
  `RateLimit-Limit/Remaining/Reset` headers, which every limited response carries.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.client_address import client_ip, in_networks, parse_ip
from graph.http.rate_limit_store import (
    MemoryWindowStore,
    RedisWindowStore,
    StoreUnavailable,
    WindowDecision,
    open_redis_window_store,
)
from graph.observability import metrics
from graph.settings import Network, Settings

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
REDIS_RETRY_SECONDS = 5.0
EXEMPT_PATHS = frozenset({"/health", "/metrics"})
EXEMPT_PREFIXES = ("/health/",)


class RateLimiter:
    """Decides for one client address; owned by the lifespan (it holds the Redis client)."""

    def __init__(self, *, limit: int, whitelist: list[Network], redis: RedisWindowStore | None) -> None:
        self.limit = limit
        self._whitelist = whitelist
        self._redis = redis
        self._memory = MemoryWindowStore()
        self._redis_retry_at = 0.0
        self._on_fallback = False

    def is_whitelisted(self, address: str) -> bool:
        if not self._whitelist:
            return False
        parsed = parse_ip(address)
        return parsed is not None and in_networks(parsed, self._whitelist)

    async def hit(self, address: str) -> tuple[WindowDecision, str]:
        """The decision for one more request from `address`, and which store made it."""
        if self._redis is not None and time.monotonic() >= self._redis_retry_at:
            try:
                decision = await self._redis.hit(address, limit=self.limit, window_seconds=WINDOW_SECONDS)
            except StoreUnavailable as error:
                self._fall_back(error)
            else:
                if self._on_fallback:
                    self._on_fallback = False
                    log.info("rate limiter back on Redis")
                return decision, "redis"
        return self._memory.hit(address, limit=self.limit, window_seconds=WINDOW_SECONDS), "memory"

    def _fall_back(self, error: StoreUnavailable) -> None:
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
        metrics.record_rate_limit_fallback()
        if not self._on_fallback:
            self._on_fallback = True
            log.warning(
                "rate limiter falls back to per-process counting: Redis unavailable",
                extra={"context": {"error": str(error), "retry_in_seconds": REDIS_RETRY_SECONDS}},
            )

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()


def open_rate_limiter(settings: Settings) -> RateLimiter | None:
    if settings.rate_limit_per_minute == 0:
        return None
    redis = (
        open_redis_window_store(redis_url=settings.redis_url, key_prefix=settings.rate_limit_key_prefix)
        if settings.redis_url
        else None
    )
    return RateLimiter(
        limit=settings.rate_limit_per_minute, whitelist=settings.rate_limit_whitelist, redis=redis
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
        decision, backend = await limiter.hit(address)
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
