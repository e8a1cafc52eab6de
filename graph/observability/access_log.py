"""One JSON line per request: who asked what, how it ended and how long it took.

Only the path, route template and GraphQL operation name are logged: never
the query string (GET GraphQL carries its variables there), bodies or headers.
Probes and scrapes are logged at DEBUG: the kubelet and Prometheus call them
every few seconds and would drown the lines people read.
"""

from __future__ import annotations

import logging
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
    # What `log.log` does, less the search of the stack for the caller: it is always this line.
    line = log.makeRecord(log.name, level, __file__, _LINE, "request", (), None, "write_access_log")
    line.context = context
    log.handle(line)


_LINE = write_access_log.__code__.co_firstlineno
