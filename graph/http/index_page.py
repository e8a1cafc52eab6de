"""`GET /`: where a person who opens the bare address finds the API's entry points."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.http.health import SERVICE_NAME


async def index(_request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "service": SERVICE_NAME,
            "graphql": "/graphql",
            "rest": {"v1": "/api/v1", "openapi": "/api/v1/openapi.json"},
            "health": {"health": "/health", "live": "/health/live", "ready": "/health/ready"},
            "metrics": "/metrics",
        }
    )


routes = [Route("/", index, methods=["GET", "HEAD"])]
