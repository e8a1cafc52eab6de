"""The server comparison serves what `autos-graph serve` serves, and reads its rounds right."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.bench.cli_serve import serve_like_autos_graph
from scripts.bench.servers import APP_FACTORY, FLOOR_APP, Side, command, markdown


@pytest.mark.usefixtures("served_nowhere")
def test_granian_serves_the_app_autos_graph_serve_serves() -> None:
    built = serve_like_autos_graph()
    assert (built["app"], built["factory"]) == (APP_FACTORY, True)


def test_granian_runs_one_asgi_worker_on_http_1() -> None:
    ours = command(Side("autos-graph", "granian"), 4000)
    assert ours[1:9] == ["--interface", "asgi", "--http", "1", "--workers", "1", "--loop", "uvloop"]
    assert ours[-2:] == ["--factory", APP_FACTORY]
    assert command(Side("floor", "granian"), 4000)[-1] == FLOOR_APP
    assert command(Side("floor", "uvicorn"), 4000)[-1] == "scripts.bench.floor_app"


def _point(rps: float, errors: int = 0) -> dict[str, Any]:
    return {"requests_per_second": rps, "p50_ms": 1.0, "p99_ms": 2.0, "errors": errors}


def test_granian_is_set_against_uvicorn_round_by_round() -> None:
    table = markdown(
        {
            ("autos-graph", "uvicorn", "filtered_search:repeated", 1): [
                _point(100),
                _point(200),
                _point(50, 1),
            ],
            ("autos-graph", "granian", "filtered_search:repeated", 1): [_point(150), _point(200), _point(90)],
        }
    )
    assert "| autos-graph | uvicorn | filtered_search:repeated (errors) | 1 | 150 | 1.00 | 2.00 |  |" in table
    assert "| autos-graph | granian | filtered_search:repeated | 1 | 150 | 1.00 | 2.00 | 1.25 × |" in table
