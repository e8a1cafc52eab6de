"""The operational wrapping of the app: observation, rate limiting, tracing, `/metrics`.

Order, outermost first: the tracing span (when on), then the request
observer (so a 429 is still logged and counted with its request id), then CORS
(when CORS_ALLOW_ORIGINS is set), then the rate limiter, then Starlette's routing.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from graph.http.rate_limit import RateLimitMiddleware
from graph.observability import metrics
from graph.observability.request_observer import RequestObserverMiddleware
from graph.observability.tracing import setup_tracing
from graph.settings import Settings


def operational_middleware(settings: Settings) -> list[Middleware]:
    return [
        Middleware(
            RequestObserverMiddleware,
            trusted_proxies=settings.trusted_proxies,
            access_log=settings.access_log,
            metrics_enabled=settings.metrics_enabled,
        ),
        *_cors(settings),
        Middleware(RateLimitMiddleware, trusted_proxies=settings.trusted_proxies),
    ]


def _cors(settings: Settings) -> list[Middleware]:
    """Before the rate limiter, so a browser's preflight is answered without being counted."""
    if not settings.cors_allow_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["content-type", "accept", "x-request-id", "authorization"],
            expose_headers=["x-request-id", "x-api-version", "retry-after", "x-data-stale"],
            max_age=600,
        )
    ]


def operational_routes(settings: Settings) -> list[BaseRoute]:
    return metrics.routes(settings)


def instrument(app: Starlette, settings: Settings) -> Starlette:
    setup_tracing(app, settings)
    return app
