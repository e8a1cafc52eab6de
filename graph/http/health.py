"""Probes: /health keeps the old backend's shape; /health/live and /health/ready are for Kubernetes.

A failing /health or /health/ready is logged as a warning with its reason, at most
once a minute while it lasts (graph/http/probe_log.py). From SIGTERM on, both answer
503 "draining" without asking Elasticsearch (graph/http/draining.py); /health/live
stays 200, since the process is still healthy while it drains.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from datasources.cache.backend import cache_status
from datasources.elastic.client import cluster_status
from graph.observability.metrics import record_dependency
from graph.state import services_of

# A probe must answer well inside the 2 s Kubernetes and the old clients allow.
PROBE_TIMEOUT_SECONDS = 1.5
SERVICE_NAME = "autos-backend"
DRAINING = "the process is shutting down (SIGTERM); it finishes the requests in flight"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def _elasticsearch_status(request: Request) -> tuple[str | None, str | None]:
    """The cluster's colour, and why it is not usable (None when it is)."""
    try:
        status = await cluster_status(services_of(request).elasticsearch, timeout=PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        reason: str | None = f"Elasticsearch did not answer within {PROBE_TIMEOUT_SECONDS} s"
        status = None
    except Exception as error:  # every failure means "not reachable" to a probe
        # The type only: a message may repeat the URL, and with it credentials.
        reason = f"Elasticsearch is not reachable ({type(error).__name__})"
        status = None
    else:
        reason = "the Elasticsearch cluster is red" if status == "red" else None
    record_dependency("elasticsearch", up=reason is None)
    return status, reason


def _failure(error: str) -> JSONResponse:
    body = {"status": "error", "service": SERVICE_NAME, "timestamp": _now(), "error": error}
    return JSONResponse(body, status_code=503)


async def health(request: Request) -> JSONResponse:
    services = services_of(request)
    if services.drain.draining:
        return _failure("the service is shutting down")
    _status, reason = await _elasticsearch_status(request)
    if reason is not None:
        services.probe_log.failed(probe="/health", reason=reason)
        return _failure("Elasticsearch is not reachable")
    services.probe_log.passed()
    return JSONResponse({"status": "ok", "service": SERVICE_NAME, "timestamp": _now()})


async def live(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "service": SERVICE_NAME, "timestamp": _now()})


async def ready(request: Request) -> JSONResponse:
    services = services_of(request)
    if services.drain.draining:
        draining = {"status": "draining", "service": SERVICE_NAME, "timestamp": _now(), "reason": DRAINING}
        return JSONResponse(draining, status_code=503)
    redis = await cache_status(services.cache)
    if redis != "memory":
        record_dependency("redis", up=redis == "up")
    status, reason = await _elasticsearch_status(request)
    ok = reason is None
    if ok:
        services.probe_log.passed()
    else:
        services.probe_log.failed(probe="/health/ready", reason=str(reason))
    body: dict[str, object] = {
        "status": "ok" if ok else "unavailable",
        "service": SERVICE_NAME,
        "timestamp": _now(),
        "elasticsearch": {"status": "up" if ok else "down", "cluster": status},
        # Redis is reported but does not gate readiness: the API serves without it.
        "cache": {"status": redis},
    }
    if reason is not None:
        body["reason"] = reason
    return JSONResponse(body, status_code=200 if ok else 503)


routes = [
    Route("/health", health, methods=["GET", "HEAD"]),
    Route("/health/live", live, methods=["GET", "HEAD"]),
    Route("/health/ready", ready, methods=["GET", "HEAD"]),
]
