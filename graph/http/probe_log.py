"""Health-check failures, logged as operators need them: a warning with the reason,
at most once per interval while the failure lasts, and one line when it ends.

Kubernetes probes every few seconds; a warning per probe would bury the reason,
none at all (the probes' access lines are quiet) would hide the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("autos_graph.health")

# Long enough that a failing probe every 5 s writes one line a minute.
WARNING_INTERVAL_SECONDS = 60.0


class ProbeFailureLog:
    def __init__(
        self,
        *,
        interval_seconds: float = WARNING_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval_seconds
        self._clock = clock
        self._failing_since: float | None = None
        self._last_warning: float | None = None
        self._suppressed = 0

    def failed(self, *, probe: str, reason: str) -> None:
        now = self._clock()
        if self._failing_since is None:
            self._failing_since = now
        if self._last_warning is not None and now - self._last_warning < self._interval:
            self._suppressed += 1
            return
        log.warning(
            "health check failed: %s",
            reason,
            extra={
                "context": {
                    "probe": probe,
                    "reason": reason,
                    "failing_for_seconds": round(now - self._failing_since, 1),
                    "failures_not_logged": self._suppressed,
                }
            },
        )
        self._last_warning = now
        self._suppressed = 0

    def passed(self) -> None:
        if self._failing_since is None:
            return
        log.info(
            "health check recovered",
            extra={"context": {"failed_for_seconds": round(self._clock() - self._failing_since, 1)}},
        )
        self._failing_since = None
        self._last_warning = None
        self._suppressed = 0
