"""The subscriptions this process holds open: a bound per client, and a wait for all to close.

The bound is per replica (a client address's open subscriptions are counted
where they are held, as each holds a connection there). At shutdown `stop`
tells every connection (`stopping`), whose streams then complete with their
protocol's own close, and waits until the last connection is gone, so the
server's own shutdown finds nothing left to cut.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, Final

from graph.gql.errors import RATE_LIMITED
from graph.observability.metrics import SUBSCRIPTIONS_OPEN

# How long a connection told to stop waits for its streams' own `complete` before closing.
COMPLETE_SECONDS: Final = 1.0


def too_many(per_client: int) -> list[dict[str, Any]]:
    """The errors a subscription over the client's limit gets, over either transport."""
    message = f"This client holds {per_client} open subscriptions, the most allowed; complete one first."
    return [{"message": message, "extensions": {"code": RATE_LIMITED}}]


class Slot:
    """One open subscription; closing it twice counts once."""

    def __init__(self, owner: OpenSubscriptions, client: str) -> None:
        self._owner = owner
        self._client = client
        self._open = True

    def close(self) -> None:
        if self._open:
            self._open = False
            self._owner._release(self._client)


class OpenSubscriptions:
    def __init__(self, *, per_client: int) -> None:
        self.per_client = per_client
        self.stopping = asyncio.Event()
        self._by_client: Counter[str] = Counter()
        self._connections = 0
        self._none_connected = asyncio.Event()
        self._none_connected.set()

    def __len__(self) -> int:
        return self._by_client.total()

    @property
    def connections(self) -> int:
        return self._connections

    def connected(self) -> None:
        """A WebSocket or an event stream is open (paired with `disconnected`)."""
        self._connections += 1
        self._none_connected.clear()

    def disconnected(self) -> None:
        self._connections -= 1
        if self._connections <= 0:
            self._none_connected.set()

    def open(self, client: str) -> Slot | None:
        """A slot for one more subscription of `client`, or None when it holds its limit."""
        if self._by_client[client] >= self.per_client:
            return None
        self._by_client[client] += 1
        SUBSCRIPTIONS_OPEN.inc()
        return Slot(self, client)

    async def stop(self, *, timeout: float) -> bool:
        """Tell every connection to complete and close, and wait for them; False on `timeout`."""
        self.stopping.set()
        try:
            await asyncio.wait_for(self._none_connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _release(self, client: str) -> None:
        SUBSCRIPTIONS_OPEN.dec()
        self._by_client[client] -= 1
        if self._by_client[client] <= 0:
            del self._by_client[client]
