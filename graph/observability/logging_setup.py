"""JSON logs, one object per line: {timestamp, level, message, context}."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import trace

from graph.http.request_id import current_request_id

# Attributes every LogRecord has; anything else passed through `extra` is context.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context: dict[str, Any] = {"logger": record.name}
        explicit = getattr(record, "context", None)
        if isinstance(explicit, dict):
            context.update(explicit)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in ("context", "color_message"):
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
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            "context": context,
        }
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own handlers would print plain text; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # One access line per request comes from our middleware; uvicorn's would double it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
