"""One JSON line per request: who asked what, how it ended and how long it took.

Only the path, route template and GraphQL operation name are logged: never
the query string (GET GraphQL carries its variables there), bodies or headers.
Probes and scrapes are logged at DEBUG: the kubelet and Prometheus call them
every few seconds and would drown the lines people read.

The line goes through logging (the configured handlers, filters and
formatter) as any other, but its record is made directly: every access line
comes from the same place, so the stack is not searched for its caller, and
the process and thread details no line shows are not looked up.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

log = logging.getLogger("autos_graph.access")

QUIET_PATHS = frozenset({"/health", "/health/live", "/health/ready", "/metrics"})


@dataclass(frozen=True, slots=True)
class AccessRecord:
    request_id: str
    method: str
    path: str
    route: str
    status: int
    latency_ms: float
    client: str
    operation_name: str | None


def level_for(path: str, status: int) -> int:
    if path in QUIET_PATHS:
        return logging.DEBUG
    if status >= 500:
        return logging.ERROR
    return logging.INFO


def access_log_enabled(path: str, status: int) -> bool:
    """Whether a request's line would be written: checked before the record is built."""
    return log.isEnabledFor(level_for(path, status))


def write_access_log(record: AccessRecord) -> None:
    level = level_for(record.path, record.status)
    if not log.isEnabledFor(level):
        return
    context: dict[str, object] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "route": record.route,
        "status": record.status,
        "latency_ms": round(record.latency_ms, 3),
        "client": record.client,
    }
    if record.operation_name is not None:
        context["operation_name"] = record.operation_name
    log.handle(_AccessLine(level, context))


# The logging module's start, from a record's own public fields: relativeCreated counts from it.
_probe = logging.LogRecord(log.name, logging.INFO, __file__, 0, "", None, None)
_LOGGING_STARTED = _probe.created - _probe.relativeCreated / 1000
del _probe


class _AccessLine(logging.LogRecord):
    """An access line's record: the documented LogRecord attributes, the fixed ones copied in at once.

    Made without record factories (`logging.setLogRecordFactory`); the JSON
    formatter adds the trace id itself.
    """

    # Not the base's __init__: its work is what this record skips.
    def __init__(self, level: int, context: dict[str, object]) -> None:
        vars(self).update(_FIXED)
        self.levelno = level
        self.levelname = logging.getLevelName(level)
        self.created = created = time.time()
        self.msecs = int((created - int(created)) * 1000) + 0.0
        self.relativeCreated = (created - _LOGGING_STARTED) * 1000
        self.context = context


# Instance attributes, not class ones: %-style formatters read the record's __dict__.
_FIXED: dict[str, object] = {
    "name": log.name,
    "msg": "request",
    "args": (),
    "pathname": __file__,
    "filename": "access_log.py",
    "module": "access_log",
    "funcName": "write_access_log",
    "lineno": write_access_log.__code__.co_firstlineno,
    "exc_info": None,
    "exc_text": None,
    "stack_info": None,
    # As logging leaves them with logThreads, logProcesses and logMultiprocessing off.
    "thread": None,
    "threadName": None,
    "process": None,
    "processName": None,
}
