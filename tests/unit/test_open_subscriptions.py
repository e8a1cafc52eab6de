"""The bound on one client's open subscriptions, and shutdown's wait for every connection."""

from __future__ import annotations

import asyncio

from graph.gql.subscriptions.open import OpenSubscriptions


def test_each_client_holds_at_most_its_limit_and_a_closed_slot_counts_once() -> None:
    held = OpenSubscriptions(per_client=2)
    first, second = held.open("10.0.0.1"), held.open("10.0.0.1")
    assert first is not None
    assert second is not None
    assert held.open("10.0.0.1") is None
    assert held.open("10.0.0.2") is not None  # another client has its own
    first.close()
    first.close()
    assert len(held) == 2
    assert held.open("10.0.0.1") is not None
    assert held.open("10.0.0.1") is None


async def test_stop_tells_the_connections_and_waits_for_the_last_one() -> None:
    held = OpenSubscriptions(per_client=1)
    held.connected()

    async def connection() -> None:
        await held.stopping.wait()
        held.disconnected()

    task = asyncio.create_task(connection())
    assert await held.stop(timeout=5)
    assert held.connections == 0
    await task


async def test_stop_gives_up_after_its_timeout() -> None:
    held = OpenSubscriptions(per_client=1)
    held.connected()  # a connection that never goes
    assert await held.stop(timeout=0.05) is False
