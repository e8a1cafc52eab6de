"""The concrete index behind the alias, refreshed in the background.

Cache keys include it, so after a reindex and alias swap no cached
aggregation of the old index is served for longer than one refresh period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from elasticsearch import AsyncElasticsearch

from datasources.elastic.errors import DataSourceRejected, DataSourceUnavailable
from datasources.vehicles.vehicle_store import concrete_index

log = logging.getLogger(__name__)


class IndexVersion:
    def __init__(self, *, client: AsyncElasticsearch, alias: str) -> None:
        self._client = client
        self._alias = alias
        self._current = alias
        self._task: asyncio.Task[None] | None = None

    def current(self) -> str:
        return self._current

    async def refresh(self) -> str:
        with contextlib.suppress(DataSourceUnavailable, DataSourceRejected):
            self._current = await concrete_index(self._client, alias=self._alias)
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
