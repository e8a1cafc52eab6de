"""The HTTP floors: bare Starlette endpoints that answer with bytes they already hold.

    BENCH_FLOOR_DIR=dir PORT=8001 WORKERS=1 [BENCH_FLOOR_ES=host:port] python -m scripts.bench.floor_app

`GET|POST /floor/{name}` reads the request body (as the API must) and answers
with `dir/{name}.json`, the API's own answer to that workload captured earlier
in the run. It is served by uvicorn with the flags `autos-graph serve` uses
(graph/cli/main.py), so the gap between the two is the API's own work: middleware,
GraphQL, the cache or Elasticsearch round trip, and serialisation.

`GET|POST /forward/{name}` does the same after sending `dir/{name}.es`, the
workload's captured Elasticsearch request, to BENCH_FLOOR_ES over the API's own
keep-alive connection code (datasources/elastic/lean_http_node.py), and waiting for the
whole answer: the least any service standing between a client and Elasticsearch
costs on this machine (one more process, one more hop, two more wake-ups).
"""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from datasources.elastic.lean_http_node import ConnectionPool
from graph.cli.main import GRACEFUL_SHUTDOWN_SECONDS


def app_factory() -> Starlette:
    directory = Path(os.environ["BENCH_FLOOR_DIR"])
    bodies = {path.stem: path.read_bytes() for path in directory.glob("*.json")}
    forwarded = {path.stem: path.read_bytes() for path in directory.glob("*.es")}
    es_host, _, es_port = os.environ.get("BENCH_FLOOR_ES", "127.0.0.1:9200").rpartition(":")
    pool = ConnectionPool(es_host, int(es_port), limit=64)

    async def floor(request: Request) -> Response:
        await request.body()
        body = bodies.get(request.path_params["name"])
        if body is None:
            return Response(b"", status_code=404)
        return Response(body, media_type="application/json")

    async def forward(request: Request) -> Response:
        await request.body()
        name = request.path_params["name"]
        body, es_request = bodies.get(name), forwarded.get(name)
        if body is None or es_request is None:
            return Response(b"", status_code=404)
        answer = await pool.exchange(es_request)
        if answer.status != 200:
            return Response(answer.body, status_code=502)
        return Response(body, media_type="application/json")

    async def ready(_request: Request) -> Response:
        return Response(b"ok")

    return Starlette(
        routes=[
            Route("/floor/{name}", floor, methods=["GET", "POST"]),
            Route("/forward/{name}", forward, methods=["GET", "POST"]),
            Route("/ready", ready),
        ]
    )


def main() -> None:
    uvicorn.run(
        "scripts.bench.floor_app:app_factory",
        factory=True,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        workers=int(os.environ.get("WORKERS", "1")),
        loop="uvloop",
        http="httptools",
        log_config=None,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


if __name__ == "__main__":
    main()
