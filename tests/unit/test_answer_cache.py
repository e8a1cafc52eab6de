"""The answer cache: generation in every key, bytes-bounded L1, L2 shared, one computation per key."""

from __future__ import annotations

import asyncio
import time

import pytest

from datasources.cache.answer_cache import (
    ENTRY_OVERHEAD_BYTES,
    AnswerCache,
    Computed,
    Level,
    StoredAnswer,
)
from datasources.cache.backend import open_cache


class Recorder:
    def __init__(self) -> None:
        self.lookups: list[tuple[Level, bool]] = []
        self.evictions = 0
        self.size_bytes = 0

    def on_lookup(self, level: Level, *, hit: bool) -> None:
        self.lookups.append((level, hit))

    def on_evictions(self, count: int) -> None:
        self.evictions += count

    def on_size(self, *, entries: int, size_bytes: int) -> None:
        self.size_bytes = size_bytes


class Generation:
    def __init__(self) -> None:
        self.index = "autos-v1"

    def __call__(self) -> str:
        return self.index


def make_cache(**overrides: object) -> AnswerCache:
    options: dict[str, object] = {
        "backend": None,
        "ttl_seconds": 30,
        "max_bytes": 2**20,
        "generation": Generation(),
    }
    options.update(overrides)
    return AnswerCache(**options)  # type: ignore[arg-type]


def computing(body: bytes | None, calls: list[int]) -> Computed[str]:
    calls.append(1)
    return Computed(result="computed", body=body)


async def test_a_kept_answer_is_served_from_l1_without_computing() -> None:
    recorder = Recorder()
    cache = make_cache(observer=recorder)
    calls: list[int] = []
    key = cache.key("graphql", "{ a }")

    async def compute() -> Computed[str]:
        return computing(b'{"data":{"a":1}}', calls)

    first = await cache.answer(key, compute=compute)
    second = await cache.answer(key, compute=compute)
    assert calls == [1]
    assert first.computed is not None
    assert first.stored is not None
    assert second.computed is None
    assert second.level == "l1"
    assert second.stored == first.stored
    assert second.stored.body == b'{"data":{"a":1}}'
    assert recorder.lookups == [("l1", False), ("l1", True)]


async def test_an_answer_computed_with_nothing_to_keep_is_computed_again() -> None:
    cache = make_cache()
    calls: list[int] = []

    async def compute() -> Computed[str]:
        return computing(None, calls)  # errors or stale: nothing to keep

    key = cache.key("graphql", "{ broken }")
    served = await cache.answer(key, compute=compute)
    await cache.answer(key, compute=compute)
    assert calls == [1, 1]
    assert served.stored is None
    assert len(cache) == 0


async def test_keys_change_with_the_generation() -> None:
    generation = Generation()
    cache = make_cache(generation=generation)
    before = cache.key("graphql", "{ a }")
    generation.index = "autos-v2"
    after = cache.key("graphql", "{ a }")
    assert before != after
    assert before.startswith("answer:autos-v1:")
    assert after.startswith("answer:autos-v2:")


async def test_l1_is_bounded_in_bytes_and_counts_evictions() -> None:
    recorder = Recorder()
    body = b"x" * 1000
    entry = len(body) + ENTRY_OVERHEAD_BYTES
    cache = make_cache(max_bytes=3 * entry, observer=recorder)

    async def compute() -> Computed[str]:
        return Computed(result="r", body=body)

    for name in "abcd":
        await cache.answer(cache.key(name), compute=compute)
    assert len(cache) == 3
    assert cache.size_bytes == 3 * entry == recorder.size_bytes
    assert recorder.evictions == 1
    assert cache.cached(cache.key("a")) is None  # the least recently used went first
    assert cache.cached(cache.key("d")) is not None


async def test_an_answer_larger_than_l1_is_served_but_not_kept() -> None:
    cache = make_cache(max_bytes=2**20)

    async def compute() -> Computed[str]:
        return Computed(result="big", body=b"x" * 2**20)

    served = await cache.answer(cache.key("big"), compute=compute)
    assert served.stored is not None
    assert len(cache) == 0


async def test_l1_entries_expire_with_the_ttl() -> None:
    cache = make_cache(ttl_seconds=1)

    async def compute() -> Computed[str]:
        return Computed(result="r", body=b"{}")

    served = await cache.answer(cache.key("a"), compute=compute)
    assert served.stored is not None
    assert served.stored.remaining_seconds() <= 1
    assert served.stored.remaining_seconds(now=time.time() + 2) == 0
    assert cache.cached(cache.key("a")) is not None
    await asyncio.sleep(1.05)
    assert cache.cached(cache.key("a")) is None


async def test_concurrent_misses_share_one_computation() -> None:
    cache = make_cache()
    calls: list[int] = []
    release = asyncio.Event()

    async def compute() -> Computed[str]:
        calls.append(1)
        await release.wait()
        return Computed(result="once", body=b"{}")

    key = cache.key("slow")
    waiters = [asyncio.create_task(cache.answer(key, compute=compute)) for _ in range(10)]
    await asyncio.sleep(0.01)
    release.set()
    served = await asyncio.gather(*waiters)
    assert calls == [1]
    assert all(s.stored is not None for s in served)
    assert len({s.stored.etag for s in served if s.stored}) == 1


async def test_a_cancelled_caller_does_not_cancel_the_computation_for_the_others() -> None:
    cache = make_cache()
    calls: list[int] = []
    release = asyncio.Event()

    async def compute() -> Computed[str]:
        calls.append(1)
        await release.wait()
        return Computed(result="shared", body=b'{"data":{}}')

    key = cache.key("shared")
    first = asyncio.create_task(cache.answer(key, compute=compute))
    second = asyncio.create_task(cache.answer(key, compute=compute))
    await asyncio.sleep(0.01)
    first.cancel()  # the caller that started the computation goes away
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    served = await second
    assert served.computed is not None
    assert served.computed.result == "shared"
    assert calls == [1]
    assert cache.cached(key) is not None  # and it was kept for the next caller


async def test_a_failed_computation_reaches_every_waiter_and_is_not_kept() -> None:
    cache = make_cache()
    release = asyncio.Event()

    async def compute() -> Computed[str]:
        await release.wait()
        raise RuntimeError("Elasticsearch went away")

    key = cache.key("failing")
    waiters = [asyncio.create_task(cache.answer(key, compute=compute)) for _ in range(3)]
    await asyncio.sleep(0.01)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert cache.cached(key) is None


async def test_distinct_flights_compute_separately() -> None:
    cache = make_cache()
    calls: list[int] = []
    release = asyncio.Event()

    async def compute() -> Computed[str]:
        calls.append(1)
        await release.wait()
        return Computed(result="r", body=None)

    key = cache.key("shaped")
    waiters = [
        asyncio.create_task(cache.answer(key, compute=compute, flight=(key, "GET"))),
        asyncio.create_task(cache.answer(key, compute=compute, flight=(key, "POST"))),
    ]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(*waiters)
    assert calls == [1, 1]


async def test_l2_is_shared_between_caches_on_one_backend_and_keeps_the_expiry() -> None:
    backend = open_cache(redis_url=None, namespace="test-answers", binary=True)
    recorder = Recorder()
    one = make_cache(backend=backend)
    other = make_cache(backend=backend, observer=recorder)
    calls: list[int] = []

    async def compute() -> Computed[str]:
        return computing(b'{"data":{"n":1}}', calls)

    key = one.key("shared")
    made = await one.answer(key, compute=compute)
    await one.flush()  # the copy, written behind the answer, is in L2
    read = await other.answer(key, compute=compute)
    assert calls == [1]
    assert read.level == "l2"
    assert made.stored is not None
    assert read.stored is not None
    assert read.stored.body == made.stored.body
    assert read.stored.etag == made.stored.etag
    assert abs(read.stored.expires_at - made.stored.expires_at) < 1e-3
    assert recorder.lookups == [("l1", False), ("l2", True)]
    assert (await other.answer(key, compute=compute)).level == "l1"


async def test_a_disabled_cache_computes_every_time_but_still_names_the_answer() -> None:
    cache = make_cache(enabled=False)
    calls: list[int] = []

    async def compute() -> Computed[str]:
        return computing(b"{}", calls)

    first = await cache.answer(cache.key("a"), compute=compute)
    second = await cache.answer(cache.key("a"), compute=compute)
    assert calls == [1, 1]
    assert first.stored is not None
    assert second.stored is not None
    assert first.stored.etag == second.stored.etag


def test_the_etag_is_a_strong_digest_of_the_body() -> None:
    a = StoredAnswer.of(b"one", expires_at=0)
    assert a.etag.startswith('"')
    assert a.etag.endswith('"')
    assert a.etag == StoredAnswer.of(b"one", expires_at=99).etag
    assert a.etag != StoredAnswer.of(b"two", expires_at=0).etag
