"""The generation behind the alias: what this process reads and keys its caches by.

Every read of a request goes to the generation named here, not through the
alias, and every cache key carries it; so one answer never mixes two
generations, and after an alias swap nothing computed from the old generation
is served as fresh. The process that swaps tells it at once (`follow`); the
others see the swap at their next refresh, a fraction of a second later
(GENERATION_REFRESH_SECONDS). While Elasticsearch cannot be asked, the last
known generation stays.

Public API, relied on by the caches: `generation` (also `current()`),
`refresh()`, `follow(name)`, `start(every_seconds=)`, `stop()`; `on_change` is
told every generation the process moves to, the first included (the edge's
live-generation metric).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from elasticsearch import AsyncElasticsearch

from datasources.elastic.errors import DataSourceRejected, DataSourceUnavailable
from datasources.vehicles.vehicle_store import concrete_index

log = logging.getLogger(__name__)


class IndexVersion:
    def __init__(
        self, *, client: AsyncElasticsearch, alias: str, on_change: Callable[[str], None] | None = None
    ) -> None:
        self._client = client
        self._alias = alias
        self._current = alias
        self._on_change = on_change
        self._told = False
        self._task: asyncio.Task[None] | None = None

    @property
    def generation(self) -> str:
        """The concrete index (`<alias>-v<N>`) the alias pointed at when last seen; the alias
        itself before any generation exists. A cache keyed by it follows every swap."""
        return self._current

    def current(self) -> str:
        return self._current

    def follow(self, generation: str) -> None:
        """Adopt a generation this process has just swapped in, without waiting for a refresh."""
        changed = generation != self._current
        if changed:
            log.info("generation changed", extra={"context": {"from": self._current, "to": generation}})
        self._current = generation
        if self._on_change is not None and (changed or not self._told):
            self._told = True
            self._on_change(generation)

    async def refresh(self) -> str:
        with contextlib.suppress(DataSourceUnavailable, DataSourceRejected):
            self.follow(await concrete_index(self._client, alias=self._alias))
        return self._current

    def start(self, *, every_seconds: float) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every_seconds)
                await self.refresh()

        self._task = asyncio.create_task(loop(), name="index-version-refresh")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
