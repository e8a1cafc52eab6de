"""Fixtures of the harness's own tests."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator

import pytest
import uvicorn


@pytest.fixture
def served_nowhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """uvicorn's server "runs" without binding; logging and SIGTERM are restored after the command."""

    def run(self: uvicorn.Server, sockets: object = None) -> None:
        self.started = True

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("WORKERS", "4")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    sigterm = signal.getsignal(signal.SIGTERM)
    yield
    root.handlers[:], root.level = handlers, level
    signal.signal(signal.SIGTERM, sigterm)
