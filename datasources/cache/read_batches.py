"""Cache reads of one turn of the event loop, sent as one MGET (one round trip).

Under load many requests miss their in-process copy at about the same time and
each would ask Redis on its own; a command costs the client far more than a
key in a batch (measured with redis-py: about 60 µs of CPU for a GET, about
10 µs a key in an MGET of eight). A read waits at most one turn of the loop
for others to join it, then one task sends the batch, an MGET even for one key
(datasources/cache/batch_client.py, on the redis-py client itself). A failed
batch fails every read in it with the same error; the caller treats that as a
miss.
"""

from __future__ import annotations

import asyncio

from datasources.cache.batch_client import BatchClient


class ReadBatches:
    def __init__(self, *, client: BatchClient) -> None:
        self._client = client
        self._waiting: dict[str, list[asyncio.Future[object]]] = {}
        self._scheduled = False
        self._sending: set[asyncio.Task[None]] = set()

    async def get(self, key: str) -> object:
        """The value under `key` (None when there is none), read in a batch."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()
        self._waiting.setdefault(key, []).append(future)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._send)
        return await future

    def _send(self) -> None:
        batch, self._waiting, self._scheduled = self._waiting, {}, False
        task = asyncio.create_task(self._read(batch), name="cache-read-batch")
        # Held until done: the loop keeps only weak references to tasks.
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

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
        """Waits for the batches on the wire (at shutdown, before the backend closes)."""
        await asyncio.gather(*self._sending, return_exceptions=True)


def _futures(batch: dict[str, list[asyncio.Future[object]]]) -> list[asyncio.Future[object]]:
    return [future for futures in batch.values() for future in futures]
