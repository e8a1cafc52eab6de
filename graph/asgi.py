"""The ASGI factory uvicorn imports in every worker process."""

from __future__ import annotations

from starlette.applications import Starlette

from graph.app import create_app
from graph.logging_setup import configure_logging
from graph.settings import load_settings


def app_factory() -> Starlette:
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
