"""Answer copies reach Redis off the response path, in batches, and every write is accounted for.

Each test runs a private redis-server (tests/support/redis_server.py): they
pause its writes (CLIENT PAUSE ... WRITE), read its command statistics and kill
it, none of which the shared Redis may suffer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis
from aiocache import Cache

from datasources.cache.answer_cache import AnswerCache, Computed
from datasources.cache.backend import REDIS_OPERATION_TIMEOUT_SECONDS, close_cache, open_cache
from datasources.cache.batch_client import BatchClient
from datasources.cache.write_behind import Outcome, WriteBehind
from tests.support.redis_server import RedisServer, commands_called

NAMESPACE = "write-behind"
# Writes are held this long by CLIENT PAUSE: a fifth of the operation timeout, so a held write succeeds.
PAUSE_MS = int(REDIS_OPERATION_TIMEOUT_SECONDS * 1000 / 5)
# How long a test waits for a write it expects before failing: 5x and more what any takes here.
WAIT_SECONDS = 10.0


async def eventually(check: Callable[[], object]) -> None:
    """Wait until `check()` holds (awaiting it when it returns an awaitable)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        held = check()
        if asyncio.iscoroutine(held):
            held = await held
        if held:
            return
        assert time.monotonic() < deadline, f"not so after {WAIT_SECONDS} s"
        await asyncio.sleep(0.02)


class Recorder:
    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()

    def on_lookup(self, level: str, *, hit: bool) -> None:
        return None

    def on_evictions(self, count: int) -> None:
        return None

    def on_size(self, *, entries: int, size_bytes: int) -> None:
        return None

    def on_writes(self, outcome: Outcome, count: int) -> None:
        self.writes[outcome] += count


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[Cache]:
    cache = open_cache(redis_url=redis_server.url, namespace=NAMESPACE, binary=True)
    yield cache
    await close_cache(cache)


def answers(backend: Cache, recorder: Recorder) -> AnswerCache:
    return AnswerCache(
        backend=backend, ttl_seconds=30, max_bytes=2**20, generation=lambda: "v1", observer=recorder
    )


def write_behind(
    backend: Cache,
    observer: Recorder,
    *,
    max_pending_bytes: int = 2**20,
    window_seconds: float = 0.01,
    max_batch_answers: int = 256,
    max_batch_bytes: int = 2**20,
    failed: Callable[[str, Exception], None] = lambda operation, error: None,
) -> WriteBehind:
    return WriteBehind(
        client=BatchClient(backend),
        max_pending_bytes=max_pending_bytes,
        window_seconds=window_seconds,
        max_batch_answers=max_batch_answers,
        max_batch_bytes=max_batch_bytes,
        usable=lambda: True,
        failed=failed,
        observer=observer,
    )


async def compute() -> Computed[str]:
    return Computed(result="answer", body=b'{"data":{"n":1}}')


async def test_an_answer_is_served_before_its_copy_reaches_redis(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    cache = answers(backend, recorder)
    key = cache.key("paused")
    await backend.get("connected")  # the cache's connection is open before the pause
    await admin.client_pause(PAUSE_MS, all=False)  # writes only
    served = await cache.answer(key, compute=compute)
    assert served.stored is not None
    # In order of events: the answer is back before its write is done (the writer is held by the pause).
    assert recorder.writes == {}
    assert await admin.exists(f"{NAMESPACE}:{key}") == 0  # reads go on during the pause
    await cache.flush()
    assert await admin.exists(f"{NAMESPACE}:{key}") == 1
    assert recorder.writes == {"written": 1}
    # The copy's TTL is what the answer had left when it was sent; the pause (ended by Redis' 100 ms
    # clock) held it since.
    assert await admin.pttl(f"{NAMESPACE}:{key}") <= (served.stored.expires_at - time.time()) * 1000 + 300


async def test_the_writes_of_concurrent_answers_leave_in_one_round_trip(
    backend: Cache, admin: redis.Redis
) -> None:
    recorder = Recorder()
    cache = answers(backend, recorder)
    await backend.get("connected")
    await admin.config_resetstat()
    await asyncio.gather(*(cache.answer(cache.key(f"batch {n}"), compute=compute) for n in range(20)))
    await cache.flush()
    used = await commands_called(admin)
    # One transaction sets them all.
    assert (used.get("multi"), used.get("mset"), used.get("exec")) == (1, 1, 1), used
    assert used.get("pexpire") == 20, used
    assert not {"set", "setex", "psetex"} & used.keys(), used
    assert recorder.writes == {"written": 20}
    assert len(await admin.keys(f"{NAMESPACE}:answer:*")) == 20


async def test_failed_writes_are_counted_and_logged(
    backend: Cache, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    cache = answers(backend, recorder)
    await backend.get("connected")
    redis_server.kill()
    with caplog.at_level(logging.WARNING):
        served = await cache.answer(cache.key("lost"), compute=compute)  # its L2 read fails: a miss
        assert served.stored is not None
        await cache.flush()
    # The read failed first, so L2 is in its backoff: the write is skipped, and counted as such.
    assert recorder.writes == {"skipped": 1}
    assert "answer cache read failed" in caplog.text
    # A write that reaches a dead Redis fails, and is counted and logged.
    failed = Recorder()
    writes = write_behind(
        backend,
        failed,
        failed=lambda operation, error: logging.getLogger("test").warning(f"{operation} failed: {error!r}"),
    )
    with caplog.at_level(logging.WARNING):
        writes.submit("gone", b"value", expires_at=time.time() + 30)
        await writes.flush()
    assert failed.writes == {"failed": 1}
    assert "write failed" in caplog.text


async def test_a_full_queue_drops_writes_and_counts_them(
    backend: Cache, admin: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    writes = write_behind(backend, recorder, max_pending_bytes=1000, window_seconds=0)
    await backend.get("connected")
    await admin.client_pause(PAUSE_MS, all=False)  # writes only
    with caplog.at_level(logging.WARNING):
        writes.submit("first", b"x" * 100, expires_at=time.time() + 30)
        await asyncio.sleep(0.02)  # the first batch is on the wire, held by the pause
        for number in range(20):
            writes.submit(f"queued {number}", b"x" * 100, expires_at=time.time() + 30)
        await writes.flush()
    assert recorder.writes["dropped"] == 10  # 1,000 bytes hold ten of them
    assert recorder.writes["written"] == 11
    assert "cache writes are dropped" in caplog.text
    assert await admin.exists(f"{NAMESPACE}:queued 9") == 1
    assert await admin.exists(f"{NAMESPACE}:queued 10") == 0


async def test_closing_writes_what_is_still_queued(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    cache = answers(backend, recorder)
    await backend.get("connected")
    await admin.client_pause(PAUSE_MS, all=False)  # writes only
    key = cache.key("at shutdown")
    await cache.answer(key, compute=compute)
    await cache.aclose()
    assert await admin.exists(f"{NAMESPACE}:{key}") == 1
    assert recorder.writes == {"written": 1}


async def test_an_expired_copy_is_not_written(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    writes = write_behind(backend, recorder)
    writes.submit("past", b"old", expires_at=time.time() - 1)
    writes.submit("soon", b"new", expires_at=time.time() + 1)
    await writes.flush()
    assert recorder.writes == {"skipped": 1, "written": 1}
    assert await admin.exists(f"{NAMESPACE}:past") == 0
    assert 0 < await admin.pttl(f"{NAMESPACE}:soon") <= 1000


async def test_writes_of_several_turns_gather_for_the_window(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    # The five submissions take milliseconds; the window is 1 s, so they all land inside it.
    writes = write_behind(backend, recorder, window_seconds=1.0)
    writes.submit("warm", b"x", expires_at=time.time() + 30)  # connected before the statistics are reset
    await writes.flush()
    await admin.config_resetstat()
    for number in range(5):
        writes.submit(f"gathered {number}", b"x", expires_at=time.time() + 30)
        await asyncio.sleep(0)  # each its own turn of the loop
    assert await admin.exists(*(f"{NAMESPACE}:gathered {number}" for number in range(5))) == 0
    # The window ends on its own: no flush needed.
    await eventually(lambda: recorder.writes["written"] == 6)
    assert await admin.exists(*(f"{NAMESPACE}:gathered {number}" for number in range(5))) == 5
    used = await commands_called(admin)
    assert used.get("mset") == 1, used
    assert recorder.writes == {"written": 6}


async def test_a_full_batch_leaves_before_the_window_ends(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    writes = write_behind(backend, recorder, window_seconds=30, max_batch_answers=3)
    for number in range(3):
        writes.submit(f"full {number}", b"x", expires_at=time.time() + 30)
    await eventually(lambda: recorder.writes)  # within seconds, far less than the 30 s window
    assert recorder.writes == {"written": 3}
    assert await admin.exists(*(f"{NAMESPACE}:full {number}" for number in range(3))) == 3
    # Bytes fill a batch too.
    by_bytes = Recorder()
    writes = write_behind(backend, by_bytes, window_seconds=30, max_batch_bytes=1000)
    writes.submit("big", b"x" * 1000, expires_at=time.time() + 30)
    await eventually(lambda: by_bytes.writes)
    assert by_bytes.writes == {"written": 1}


async def test_a_batch_holds_at_most_its_bounds(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    writes = write_behind(backend, recorder, max_batch_answers=4)
    writes.submit("warm", b"x", expires_at=time.time() + 30)
    await writes.flush()
    await admin.config_resetstat()
    for number in range(10):
        writes.submit(f"bounded {number}", b"x", expires_at=time.time() + 30)
    await writes.flush()
    assert (await commands_called(admin)).get("mset") == 3  # 4, 4 and 2
    await admin.config_resetstat()
    by_bytes = write_behind(backend, recorder, max_batch_bytes=1000)
    for number in range(6):
        by_bytes.submit(f"bytes {number}", b"x" * 400, expires_at=time.time() + 30)
    await by_bytes.flush()
    assert (await commands_called(admin)).get("mset") == 3  # two of 400 bytes a batch
    assert await admin.exists(*(f"{NAMESPACE}:bytes {number}" for number in range(6))) == 6
    assert recorder.writes == {"written": 17}


async def test_a_flush_does_not_wait_out_the_window(backend: Cache, admin: redis.Redis) -> None:
    recorder = Recorder()
    writes = write_behind(backend, recorder, window_seconds=30)
    writes.submit("now", b"x", expires_at=time.time() + 30)
    started = time.monotonic()
    await writes.flush()
    assert time.monotonic() - started < 1
    assert await admin.exists(f"{NAMESPACE}:now") == 1
    writes.submit("at shutdown", b"x", expires_at=time.time() + 30)
    await writes.aclose()
    assert time.monotonic() - started < 1
    assert await admin.exists(f"{NAMESPACE}:at shutdown") == 1
    assert recorder.writes == {"written": 2}


async def test_a_batch_is_kept_for_its_longest_expiry(backend: Cache, admin: redis.Redis) -> None:
    # One TTL a batch (aiocache's multi_set): no copy leaves Redis before its own expiry, and
    # the expiry it carries is what readers check.
    recorder = Recorder()
    writes = write_behind(backend, recorder)
    writes.submit("short", b"x", expires_at=time.time() + 2)
    writes.submit("long", b"x", expires_at=time.time() + 20)
    await writes.flush()
    assert 19000 < await admin.pttl(f"{NAMESPACE}:short") <= 20000
    assert 19000 < await admin.pttl(f"{NAMESPACE}:long") <= 20000
