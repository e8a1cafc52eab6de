"""The floor and the ablation's variants are served with `autos-graph serve`'s own uvicorn options."""

from __future__ import annotations

import pytest
import uvicorn

from graph.compat.uvicorn import RequestBounds
from scripts.bench.cli_serve import config_changes, serve_like_autos_graph
from scripts.bench.floor_app import app as floor


def test_changes_apply_to_every_config_built_while_open() -> None:
    with config_changes(http="httptools", app=floor) as built:
        config = uvicorn.Config("graph.asgi:app_factory", factory=True, http="auto")
    assert config.app is floor
    assert config.http == "httptools"
    assert built["app"] is floor
    assert uvicorn.Config("x:y").http == "auto"  # restored on leaving


@pytest.mark.usefixtures("served_nowhere")
def test_the_floor_runs_on_the_commands_own_options() -> None:
    built = serve_like_autos_graph(app=floor, factory=False)
    assert built["app"] is floor
    assert built["factory"] is False
    assert built["workers"] == 1  # always one process, where the patches were applied
    assert built["loop"] == "uvloop"
    # httptools, with the bounds on reading a request that `serve` reads from the settings.
    assert isinstance(built["http"], RequestBounds)
