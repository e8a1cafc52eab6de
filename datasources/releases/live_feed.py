"""The swaps of the alias as a stream each subscriber follows: one per process, fed by IndexVersion.

Every replica already follows the alias (datasources/elastic/index_version.py
asks Elasticsearch every GENERATION_REFRESH_SECONDS, and keys every cache by
what it finds); the feed hangs on that same watch, so a swap made by any
command on any host reaches every replica's subscribers without a second
mechanism, and a replica that was away (Elasticsearch unreachable, a restart)
announces the generation it finds when it is back. Each change is described
once per process, when anyone follows (datasources/releases/going_live.py),
and handed to every follower's queue; a follower that does not keep up loses the oldest swaps, never
the newest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from datasources.releases.going_live import LiveGeneration, describe_live

log = logging.getLogger(__name__)

QUEUE_SIZE: Final = 8
DESCRIBE_ATTEMPTS: Final = 3
DESCRIBE_RETRY_SECONDS: Final = 0.2


class ReleaseFeed:
    def __init__(self, *, client: AsyncElasticsearch, alias: str) -> None:
        self._client = client
        self._alias = alias
        self._seen: str | None = None
        self._latest: LiveGeneration | None = None
        self._followers: set[asyncio.Queue[LiveGeneration | None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def followers(self) -> int:
        return len(self._followers)

    def changed(self, generation: str) -> None:
        """IndexVersion's `on_change`: the first call is the generation found at start-up, not a swap.

        Nothing is asked of Elasticsearch while nobody follows: the live generation is
        described when a subscriber asks for it (`include_live`), a swap when it is announced.
        """
        first = self._seen is None
        self._seen = generation
        if first or not self._followers:
            return
        task = asyncio.get_running_loop().create_task(self._announce(generation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def follow(self, *, include_live: bool = False) -> AsyncIterator[LiveGeneration]:
        """The swaps from now on (after the live generation when `include_live`), until the feed closes."""
        if self._closed:
            return
        queue: asyncio.Queue[LiveGeneration | None] = asyncio.Queue(QUEUE_SIZE)
        self._followers.add(queue)
        try:
            if include_live:
                yield await self._live()
            while (swap := await queue.get()) is not None:
                yield swap
        finally:
            self._followers.discard(queue)

    def close(self) -> None:
        """End every follower's stream (shutdown); later followers get an empty one."""
        self._closed = True
        for queue in self._followers:
            _offer(queue, None)

    async def aclose(self) -> None:
        self.close()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _live(self) -> LiveGeneration:
        generation = self._seen or self._alias
        if self._latest is None or self._latest.generation != generation:
            self._latest = await describe_live(self._client, alias=self._alias, generation=generation)
        return self._latest

    async def _announce(self, generation: str) -> None:
        for attempt in range(1, DESCRIBE_ATTEMPTS + 1):
            try:
                live = await describe_live(self._client, alias=self._alias, generation=generation)
            except (ApiError, TransportError) as error:
                if attempt == DESCRIBE_ATTEMPTS:
                    log.warning(
                        "live generation not described",
                        extra={"context": {"generation": generation, "error": str(error)}},
                    )
                    return
                await asyncio.sleep(DESCRIBE_RETRY_SECONDS)
                continue
            if generation != self._seen:
                return  # another swap came after it; that one is announced
            self._latest = live
            if not self._closed:
                for queue in self._followers:
                    _offer(queue, live)
            return


def _offer(queue: asyncio.Queue[LiveGeneration | None], item: LiveGeneration | None) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)
