"""The ASGI factory uvicorn imports in every worker process."""

from __future__ import annotations

import gc

from starlette.applications import Starlette

from graph.app import create_app
from graph.observability.logging_setup import configure_logging
from graph.settings import load_settings


def app_factory() -> Starlette:
    settings = load_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    # What exists now (modules, the schema, the catalog tables) lives as long as the
    # worker. Frozen, the collector stops re-walking it in every full collection,
    # which under load pauses the worker (docs/benchmarks.md).
    gc.freeze()
    return app
