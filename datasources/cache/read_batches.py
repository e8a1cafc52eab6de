"""Cache reads gathered while the loop turns, sent as one MGET (one round trip).

Under load many requests miss their in-process copy at about the same time and
each would ask Redis on its own; a command costs the client far more than a
key in a batch (docs/caching.md). A read waits one turn of the loop for
others to join it, or, while a batch is on the wire, until that batch is back
(one round trip at most: under load the batches grow instead of the round
trips), then one task sends the batch, an MGET even for one key
(datasources/cache/batch_client.py). A failed batch fails every read in it
with the same error; the caller treats that as a miss, and the reads that
gathered behind it miss at once (`usable`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from datasources.cache.batch_client import BatchClient


class ReadBatches:
    def __init__(self, *, client: BatchClient, usable: Callable[[], bool] = lambda: True) -> None:
        self._client = client
        self._usable = usable
        self._waiting: dict[str, list[asyncio.Future[object]]] = {}
        self._scheduled = False
        # The batch on the wire; held until done (the loop keeps only weak references to tasks).
        self._sending: asyncio.Task[None] | None = None

    async def get(self, key: str) -> object:
        """The value under `key` (None when there is none), read in a batch."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()
        self._waiting.setdefault(key, []).append(future)
        self._schedule(loop)
        return await future

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        # While a batch is on the wire the next one gathers; it leaves when that one is back.
        if not self._scheduled and self._sending is None and self._waiting:
            self._scheduled = True
            loop.call_soon(self._send)

    def _send(self) -> None:
        batch, self._waiting, self._scheduled = self._waiting, {}, False
        if not self._usable():  # the batch before failed: these readers miss now, not a timeout later
            for future in _futures(batch):
                if not future.done():
                    future.set_result(None)
            return
        self._sending = asyncio.create_task(self._read(batch), name="cache-read-batch")
        self._sending.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending = None
        self._schedule(task.get_loop())

    async def _read(self, batch: dict[str, list[asyncio.Future[object]]]) -> None:
        keys = list(batch)
        try:
            values = await self._client.get_many(keys)
        except asyncio.CancelledError:  # at shutdown: the readers are not left waiting
            for future in _futures(batch):
                future.cancel()
            raise
        except Exception as error:  # every reader decides what a failed read means
            for future in _futures(batch):
                if not future.done():
                    future.set_exception(error)
            return
        for key, value in zip(keys, values, strict=True):
            for future in batch[key]:
                if not future.done():  # its reader may have been cancelled
                    future.set_result(value)

    async def aclose(self) -> None:
        """Waits for the batches on the wire and those gathering (at shutdown, before the backend
        closes)."""
        while self._sending is not None or self._scheduled:
            if self._sending is not None:
                await asyncio.gather(self._sending, return_exceptions=True)
            else:
                await asyncio.sleep(0)


def _futures(batch: dict[str, list[asyncio.Future[object]]]) -> list[asyncio.Future[object]]:
    return [future for futures in batch.values() for future in futures]
