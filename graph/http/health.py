"""Probes: /health keeps the old backend's shape; /health/live and /health/ready are for Kubernetes."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from datasources.cache.backend import cache_status
from datasources.elastic.client import cluster_status
from graph.state import services_of

# A probe must answer well inside the 2 s Kubernetes and the old clients allow.
PROBE_TIMEOUT_SECONDS = 1.5
SERVICE_NAME = "autos-backend"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def _elasticsearch_status(request: Request) -> str | None:
    try:
        return await cluster_status(services_of(request).elasticsearch, timeout=PROBE_TIMEOUT_SECONDS)
    except Exception:  # every failure means "not reachable" to a probe
        return None


async def health(request: Request) -> JSONResponse:
    status = await _elasticsearch_status(request)
    if status is None or status == "red":
        body = {
            "status": "error",
            "service": SERVICE_NAME,
            "timestamp": _now(),
            "error": "Elasticsearch is not reachable",
        }
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "service": SERVICE_NAME, "timestamp": _now()})


async def live(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "service": SERVICE_NAME, "timestamp": _now()})


async def ready(request: Request) -> JSONResponse:
    status = await _elasticsearch_status(request)
    redis = await cache_status(services_of(request).cache)
    ok = status is not None and status != "red"
    body = {
        "status": "ok" if ok else "unavailable",
        "service": SERVICE_NAME,
        "timestamp": _now(),
        "elasticsearch": {"status": "up" if ok else "down", "cluster": status},
        # Redis is reported but does not gate readiness: the API serves without it.
        "cache": {"status": redis},
    }
    return JSONResponse(body, status_code=200 if ok else 503)


routes = [
    Route("/health", health, methods=["GET", "HEAD"]),
    Route("/health/live", live, methods=["GET", "HEAD"]),
    Route("/health/ready", ready, methods=["GET", "HEAD"]),
]
