"""What an L1 entry of the answer cache really holds, against the bytes it is charged."""

from __future__ import annotations

import gc
import tracemalloc

import orjson
import pytest

from datasources.cache.answer_cache import AnswerCache, Computed

ENTRIES = 200


def answer_body(vehicles: int) -> bytes:
    """An answer encoded as the service encodes them (orjson), `vehicles` records long."""
    records = [
        {"id": f"VmVoaWNsZTo{i:06d}", "manufacturer": "Chevrolet", "model": "Camaro", "year": 1969}
        for i in range(vehicles)
    ]
    return orjson.dumps({"data": {"vehicles": {"totalCount": vehicles, "nodes": records}}})


async def held_and_charged(vehicles: int) -> tuple[float, float]:
    """Per entry: the bytes the filled L1 keeps alive, and the bytes it counts.

    Measured as the growth from ENTRIES to twice as many entries, so what outlives
    a single computation (the last answer, its task) is not spread over the entries.
    """
    cache = AnswerCache(backend=None, ttl_seconds=30, max_bytes=2**30, generation=lambda: "autos-v1")
    keys = [cache.key("graphql", f"query {i}", "{}") for i in range(2 * ENTRIES)]

    async def compute() -> Computed[None]:
        return Computed(result=None, body=answer_body(vehicles))

    async def fill(part: list[str]) -> int:
        for key in part:
            await cache.answer(key, compute=compute)
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        half = await fill(keys[:ENTRIES])
        charged_half = cache.size_bytes
        full = await fill(keys[ENTRIES:])
    finally:
        tracemalloc.stop()
    assert len(cache) == 2 * ENTRIES
    return (full - half) / ENTRIES, (cache.size_bytes - charged_half) / ENTRIES


@pytest.mark.parametrize("vehicles", [0, 1, 5, 20, 100, 400])
async def test_an_entry_holds_no_more_than_it_is_charged(vehicles: int) -> None:
    held, charged = await held_and_charged(vehicles)
    assert held <= charged, f"an entry holds {held:.0f} bytes and is charged {charged:.0f}"
    # And the charge is not so pessimistic that L1 keeps far fewer answers than its budget allows.
    assert charged <= 2 * held
