"""Capturing what the service logs, as the JSON objects operators would read."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from graph.observability.logging_setup import JsonFormatter


class CapturedLogs:
    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    @property
    def text(self) -> str:
        return self._stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        """Every line, parsed: a line that is not one JSON object fails the test here."""
        parsed = [orjson.loads(line) for line in self.text.splitlines()]
        assert all(isinstance(entry, dict) for entry in parsed)
        return parsed

    def access_lines(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e["context"].get("logger") == "autos_graph.access"]


@contextmanager
def json_logs(level: int = logging.INFO) -> Iterator[CapturedLogs]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield CapturedLogs(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
