"""JSON logs, one object per line: {timestamp, level, message, context}.

Every request writes an access line through here, so the path is kept lean: the
formatter finds `extra` fields with one set operation and formats the
timestamp's date and time once per second, and the handler flushes once per
event-loop turn instead of once per line (at once outside a loop, and at exit).
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import sys
import time
from typing import Any, TextIO

import orjson
from opentelemetry import trace

from graph.http.request_id import current_request_id

# Attributes every LogRecord has, and the ones this formatter reads itself; anything
# else passed through `extra` is context.
_NOT_CONTEXT = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "context",
    "color_message",
}


# Valid JSON left raw by orjson, yet line breaks to Python's splitlines and to many log viewers: a
# client's path or header could otherwise split one line in two for them.
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        # (whole second, its "YYYY-MM-DDTHH:MM:SS"), replaced as one value so threads never mix them.
        self._second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        attributes = vars(record)
        context: dict[str, Any] = {"logger": record.name}
        explicit = attributes.get("context")
        if isinstance(explicit, dict):
            context.update(explicit)
        extra = attributes.keys() - _NOT_CONTEXT
        if extra:
            for key, value in attributes.items():
                if key in extra:
                    context[key] = value
        # The request (and trace) being handled when the line was written, so
        # every line of a request can be found from its access line.
        request_id = current_request_id()
        if request_id is not None:
            context.setdefault("request_id", request_id)
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            context.setdefault("trace_id", format(span.trace_id, "032x"))
        if record.exc_info:
            context["exception"] = self.formatException(record.exc_info)
        entry = {
            "timestamp": self.timestamp(record.created),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            "context": context,
        }
        line = orjson.dumps(entry, default=str).decode()
        return line if line.isascii() else line.translate(_LINE_BREAKS)

    def timestamp(self, created: float) -> str:
        """ISO 8601 in UTC with microseconds, as `datetime.fromtimestamp(created, UTC).isoformat()`
        writes it (no fraction when it is zero), with `Z` for the offset."""
        fraction, whole = math.modf(created)
        micro = round(fraction * 1_000_000)
        second = int(whole)
        if micro >= 1_000_000:
            second += 1
            micro -= 1_000_000
        cached_second, prefix = self._second
        if second != cached_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, prefix)
        return f"{prefix}.{micro:06d}Z" if micro else f"{prefix}Z"


class JsonLinesHandler(logging.StreamHandler[TextIO]):
    """Flushes when the event loop's turn ends (a turn answering several requests pays one
    system call), at once outside a loop; `logging.shutdown` flushes at exit."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        # The first record of the turn, while its flush is pending: named if the flush fails.
        self._unflushed: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            if self._unflushed is None:
                self._unflushed = record
                loop.call_soon(self._flush_turn)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _flush_turn(self) -> None:
        record, self._unflushed = self._unflushed, None
        try:
            self.flush()
        except Exception:
            # As a flush that fails inside StreamHandler.emit: reported, never raised.
            if record is not None:
                self.handleError(record)


def buffered_stdout() -> TextIO:
    """stdout through a buffer of its own: with PYTHONUNBUFFERED (the image sets it) `sys.stdout`
    writes every line at once. Where stdout is no file (a test's capture), `sys.stdout` itself."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return sys.stdout
    sys.stdout.flush()
    raw = io.FileIO(descriptor, "w", closefd=False)
    return io.TextIOWrapper(io.BufferedWriter(raw, buffer_size=2**16), encoding="utf-8", newline="\n")


def configure_logging(level: str) -> None:
    handler = JsonLinesHandler(buffered_stdout())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # No line shows the thread or process, so records need not look them up (documented switches).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # uvicorn's own handlers would print plain text; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # One access line per request comes from our middleware; uvicorn's would double it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
