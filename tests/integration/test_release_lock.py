"""The per-alias release lock against the real Elasticsearch: a second command refused without
touching anything, expired leases taken over, the lock given back on every way out, a
holder killed with SIGKILL whose lock expires after its lease; and the lock as a fence: data
commands run during a release refused, a holder paused (SIGSTOP) past its lease changing nothing
after another command took over and acted, a fence that sees a lost lock at once, and an alias
swap that fails as a whole when the alias moved under it."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError

from datasources.catalog.dataset import SAMPLE_SIZE, iter_records, sample_records
from datasources.elastic.index_schema import document_count, drop_index, indices_behind
from datasources.releases.generations import create_generation, list_generations, mark, swap_alias
from datasources.releases.lock import (
    AliasLock,
    LockHolder,
    LockLost,
    ReleaseLocked,
    ensure_lock_index,
    force_unlock,
    read_lock,
)
from datasources.releases.release import ReleaseOutcome, release
from datasources.vehicles.vehicle_record import VehicleRecord
from tests.conftest import ES_URL, LOCK_INDEX, TEST_INDEX, es_host_port
from tests.support.tcp_proxy import TcpProxy

ALIAS = f"{TEST_INDEX}-lock"
BIN = Path(sys.executable).parent / "autos-graph"
EXIT_LOCKED = 4


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await drop_index(es, alias=ALIAS)
    await force_unlock(es, index=LOCK_INDEX, alias=ALIAS)
    yield ALIAS
    await force_unlock(es, index=LOCK_INDEX, alias=ALIAS)
    await drop_index(es, alias=ALIAS)


def cli(*args: str, lease: float = 60, alias: str = ALIAS) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ELASTICSEARCH_URL": ES_URL,
        "ES_INDEX": alias,
        "REDIS_URL": "",
        "LOG_LEVEL": "INFO",
        "RELEASE_LOCK_INDEX": LOCK_INDEX,
        "RELEASE_LOCK_LEASE_SECONDS": str(lease),
    }
    return subprocess.Popen(
        [str(BIN), "data", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def finished(process: subprocess.Popen[bytes], *, timeout: float = 120) -> str:
    return process.communicate(timeout=timeout)[0].decode()


async def wait_for_lock(es: AsyncElasticsearch, *, pid: int, timeout: float = 60) -> LockHolder:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = await read_lock(es, index=LOCK_INDEX, alias=ALIAS)
        if holder is not None and holder.pid == pid:
            return holder
        await asyncio.sleep(0.1)
    raise AssertionError(f"pid {pid} never took the lock")


def ndjson(records: Iterable[VehicleRecord]) -> bytes:
    return b"".join(orjson.dumps(record.to_document()) + b"\n" for record in records)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A file source the test feeds by hand, so a release stays mid-load as long as the test likes."""
    path = tmp_path / "records.ndjson"
    os.mkfifo(path)
    return path


async def start_feeding(path: Path, *, first: bytes, timeout: float = 60) -> IO[bytes]:
    """Open the FIFO once the release reads it (lock taken, generation created) and write `first`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:  # ENXIO: nobody reads it yet
            if error.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        os.set_blocking(descriptor, True)
        writer = os.fdopen(descriptor, "wb")
        writer.write(first)
        writer.flush()
        return writer


def _keep_feeding(writer: IO[bytes]) -> None:
    """Writes records, each batch under new ids, until the FIFO's reader is gone."""
    records = sample_records()
    try:
        for round_ in itertools.count():
            writer.write(
                ndjson(replace(record, vehicle_id=f"fed-{round_}-{record.vehicle_id}") for record in records)
            )
            writer.flush()
    except OSError:  # BrokenPipeError: the release was killed
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


@dataclass(frozen=True, slots=True)
class MidLoad:
    """A release from the FIFO over a live sample generation, waiting for more than its first 400 records."""

    live: ReleaseOutcome
    process: subprocess.Popen[bytes]
    writer: IO[bytes]
    holder: LockHolder


async def release_mid_load(es: AsyncElasticsearch, *, alias: str, fifo: Path, tmp_path: Path) -> MidLoad:
    live = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    process = cli("release", "--file", str(fifo), "--reject-file", str(tmp_path / "rejects.ndjson"))
    writer = await start_feeding(fifo, first=ndjson(sample_records()[:400]))
    holder = await wait_for_lock(es, pid=process.pid)
    return MidLoad(live=live, process=process, writer=writer, holder=holder)


async def test_a_second_release_is_refused_and_the_first_goes_live_intact(
    es: AsyncElasticsearch, alias: str, fifo: Path, tmp_path: Path
) -> None:
    mid_load = await release_mid_load(es, alias=alias, fifo=fifo, tmp_path=tmp_path)
    before, first, writer, holder = mid_load.live, mid_load.process, mid_load.writer, mid_load.holder
    records = sample_records()
    assert holder.command.startswith("autos-graph data release --file")
    (loading,) = [each for each in await list_generations(es, alias=alias) if each.state == "building"]

    second = cli("release", "--sample")
    output = finished(second)
    assert second.returncode == EXIT_LOCKED, output
    assert f"{alias} is locked by `autos-graph data release --file {fifo} --reject-file" in output
    assert f"pid {first.pid} on " in output
    assert f"started {holder.started:%Y-%m-%d %H:%M:%S} UTC" in output
    assert "nothing was changed" in output
    generations = {each.name: each.state for each in await list_generations(es, alias=alias)}
    assert generations == {before.generation: "ready", loading.name: "building"}, "the second touched nothing"

    writer.write(ndjson(records[400:]))
    writer.close()
    output = finished(first)
    assert first.returncode == 0, output
    assert f"live: {alias} -> {loading.name} (was {before.generation})" in output
    assert await indices_behind(es, alias=alias) == [loading.name]
    assert await document_count(es, alias=alias) == SAMPLE_SIZE
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None, "released after success"


async def test_the_lock_is_released_after_a_failed_check(
    es: AsyncElasticsearch, alias: str, tmp_path: Path
) -> None:
    unusable = tmp_path / "unusable.ndjson"
    unusable.write_text('{"not": "a vehicle"}\n', encoding="utf-8")
    process = cli("release", "--file", str(unusable), "--reject-file", str(tmp_path / "rejects.ndjson"))
    output = finished(process)
    assert process.returncode == 3, output
    assert "FAILED  documents" in output
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None


def wait_for_load(process: subprocess.Popen[bytes], *, timeout: float = 120) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:  # JSON log lines: the load has begun once one reports progress
        if b'"bulk progress"' in line:
            return
        assert time.monotonic() < deadline, "the release never started loading"
    raise AssertionError("the release ended before loading")


async def test_sigterm_mid_load_gives_the_lock_back(es: AsyncElasticsearch, alias: str) -> None:
    process = cli("release", "--full")
    wait_for_load(process)
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is not None
    process.send_signal(signal.SIGTERM)
    output = finished(process, timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, output
    assert "stopped by SIGTERM" in output
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None


async def test_a_killed_holder_renewed_while_alive_and_its_lock_expires_after_the_lease(
    es: AsyncElasticsearch, alias: str, fifo: Path, tmp_path: Path
) -> None:
    # A release from a FIFO the test keeps full: it loads for as long as the test likes (a release
    # of the full dataset can finish within a short lease), and never waits long on a read, so its
    # renewals run on time.
    lease = 3.0
    process = cli(
        "release", "--file", str(fifo), "--reject-file", str(tmp_path / "rejects.ndjson"), lease=lease
    )
    writer = await start_feeding(fifo, first=ndjson(sample_records()))
    feeder = threading.Thread(target=_keep_feeding, args=(writer,), daemon=True)
    feeder.start()
    holder = await wait_for_lock(es, pid=process.pid)
    wait_for_load(process)
    await asyncio.sleep(max((holder.expires - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    renewed = await read_lock(es, index=LOCK_INDEX, alias=alias)
    assert renewed is not None
    assert renewed.token == holder.token
    assert renewed.expires > holder.expires, "the holder renews its lease while it works"
    assert not renewed.expired(now=datetime.now(UTC))

    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    feeder.join(timeout=30)  # the reader is gone: its writes fail
    left = await read_lock(es, index=LOCK_INDEX, alias=alias)
    assert left is not None
    assert left.pid == process.pid, "a SIGKILL leaves the lock behind"
    if not left.expired(now=datetime.now(UTC)):
        with pytest.raises(ReleaseLocked):
            async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="test", lease_seconds=lease):
                pass

    await asyncio.sleep(max((left.expires - datetime.now(UTC)).total_seconds(), 0) + 0.1)
    following = cli("release", "--sample")
    output = finished(following)
    assert following.returncode == 0, output
    assert f"took over an expired lock: `autos-graph data release --file {fifo}" in output
    assert f"(pid {process.pid}" in output
    assert "removed what an interrupted release left" in output
    assert await document_count(es, alias=alias) == SAMPLE_SIZE
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None


async def test_an_expired_lease_is_taken_over_and_a_renewed_one_is_not(
    es: AsyncElasticsearch, alias: str
) -> None:
    await ensure_lock_index(es, index=LOCK_INDEX)
    now = datetime.now(UTC)
    dead = LockHolder(
        alias=alias,
        host="gone-pod",
        pid=999_999,
        command="autos-graph data rollback",
        started=now - timedelta(minutes=5),
        expires=now - timedelta(seconds=1),
        token="dead",
    )
    await es.create(index=LOCK_INDEX, id=alias, document=dead.document())
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="first", lease_seconds=1) as lock:
        assert lock.took_over == dead
        holder = await read_lock(es, index=LOCK_INDEX, alias=alias)
        assert holder is not None
        assert holder.command == "first"
        with pytest.raises(ReleaseLocked, match="locked by `first`"):
            async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="second", lease_seconds=1):
                pass
        await asyncio.sleep(1.5)  # past the first lease: renewals keep it held
        with pytest.raises(ReleaseLocked, match="locked by `first`"):
            async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="second", lease_seconds=1):
                pass
    started = time.monotonic()
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="third", wait_seconds=5) as third:
        assert third.took_over is None, "a released lock is free, not taken over"
    assert time.monotonic() - started < 5
    assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None


async def test_wait_takes_the_lock_once_the_holder_gives_it_back(es: AsyncElasticsearch, alias: str) -> None:
    taken = asyncio.Event()
    released = asyncio.Event()

    async def hold() -> None:
        async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="holder", lease_seconds=2):
            taken.set()
            await asyncio.sleep(1.5)
        released.set()

    holding = asyncio.create_task(hold())
    await taken.wait()
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="waiter", wait_seconds=10):
        assert released.is_set(), "the waiter got in only after the holder left"
        holder = await read_lock(es, index=LOCK_INDEX, alias=alias)
        assert holder is not None
        assert holder.command == "waiter"
    await holding


async def test_a_holder_whose_lock_is_forced_open_stops(es: AsyncElasticsearch, alias: str) -> None:
    removed: list[LockHolder | None] = []

    async def work() -> None:
        async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="victim", lease_seconds=1):
            removed.append(await force_unlock(es, index=LOCK_INDEX, alias=alias))
            await asyncio.sleep(10)
            pytest.fail("the work went on without the lock")

    started = time.monotonic()
    with pytest.raises(LockLost, match="removed or taken"):
        await work()
    assert time.monotonic() - started < 5, "stopped at the next renewal"
    assert removed[0] is not None
    assert removed[0].command == "victim"


async def test_unlock_shows_the_holder_and_removes_it_only_with_force(
    es: AsyncElasticsearch, alias: str
) -> None:
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="autos-graph data release --full"):
        shown = cli("unlock")
        output = finished(shown)
        assert shown.returncode == EXIT_LOCKED, output
        assert f"{alias}: lock held by `autos-graph data release --full` (pid {os.getpid()}" in output
        assert await read_lock(es, index=LOCK_INDEX, alias=alias) is not None
        listed = cli("generations")
        output = finished(listed)
        assert listed.returncode == 0, output
        assert f"{alias}: lock held by `autos-graph data release --full`" in output

        forced = cli("unlock", "--force")
        output = finished(forced)
        assert forced.returncode == 0, output
        assert f"{alias}: removed the lock of `autos-graph data release --full`" in output
        assert await read_lock(es, index=LOCK_INDEX, alias=alias) is None


async def test_a_holder_cut_off_from_the_cluster_stops_when_its_lease_ends(
    es: AsyncElasticsearch, alias: str
) -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    cut_off = AsyncElasticsearch(f"http://{proxy.url_host}", request_timeout=30, max_retries=0)

    async def work() -> None:
        async with AliasLock(cut_off, index=LOCK_INDEX, alias=alias, command="cut off", lease_seconds=1):
            proxy.hang()
            await asyncio.sleep(10)
            pytest.fail("the work went on after the lease ended")

    started = time.monotonic()
    try:
        with pytest.raises(LockLost, match="lease ran out"):
            await work()
        assert time.monotonic() - started < 5, "stopped by the lease's end, not a request timeout"
    finally:
        await proxy.resume()
        await proxy.stop()
        await cut_off.close()
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="next") as following:
        assert following.took_over is not None
        assert following.took_over.command == "cut off"


# The paused holder's lease: long enough to pass its own fences on a loaded machine, short
# enough that waiting it out keeps the test to seconds.
PAUSED_LEASE = 4.0


async def cluster_state(es: AsyncElasticsearch, alias: str) -> dict[str, Any]:
    """Every index named after the alias (an index a late bulk write created would show), what
    the alias points at, each generation's state and documents, and whose lock it is."""
    await es.indices.refresh(index=f"{alias}*", ignore_unavailable=True, allow_no_indices=True)
    found = await es.indices.get(index=f"{alias}*", expand_wildcards="all", allow_no_indices=True)
    return {
        "indices": sorted(found.body),
        "behind": await indices_behind(es, alias=alias),
        "generations": [(g.name, g.state, g.documents) for g in await list_generations(es, alias=alias)],
        "lock": None if (lock := await read_lock(es, index=LOCK_INDEX, alias=alias)) is None else lock.token,
    }


async def test_data_commands_during_a_release_are_refused_and_touch_nothing(
    es: AsyncElasticsearch, alias: str, fifo: Path, tmp_path: Path
) -> None:
    mid_load = await release_mid_load(es, alias=alias, fifo=fifo, tmp_path=tmp_path)
    live, releasing, writer = mid_load.live, mid_load.process, mid_load.writer
    records = sample_records()
    before = await cluster_state(es, alias)

    upload = tmp_path / "upload.ndjson"
    upload.write_bytes(ndjson(records[:10]))
    for command in (["load", "--sample"], ["load", "--file", str(upload), "--live"], ["bootstrap"]):
        process = cli(*command)
        output = finished(process)
        assert process.returncode == EXIT_LOCKED, output
        assert f"{alias} is locked by `autos-graph data release --file {fifo}" in output, command
        assert f"pid {releasing.pid} on " in output
        assert "nothing was changed" in output
        assert await cluster_state(es, alias) == before, f"{command} changed something"

    writer.write(ndjson(records[400:]))
    writer.close()
    output = finished(releasing)
    assert releasing.returncode == 0, output
    assert f"(was {live.generation})" in output
    assert await document_count(es, alias=alias) == SAMPLE_SIZE


async def test_a_paused_holder_that_lost_its_lock_changes_nothing_after_the_takeover(
    es: AsyncElasticsearch, alias: str, fifo: Path, tmp_path: Path
) -> None:
    await release(es, alias=alias, source="sample", records=iter_records("sample"))
    # Ids of its own: a late write of the paused holder would add documents wherever it landed.
    records = [replace(record, vehicle_id=f"paused-{record.vehicle_id}") for record in sample_records()]
    paused = cli(
        "release", "--file", str(fifo), "--reject-file", str(tmp_path / "rejects.ndjson"), lease=PAUSED_LEASE
    )
    # Its records come from this FIFO: with 400 of them read it waits for more, its next step
    # the bulk write of its first chunk into the generation it is building.
    writer = await start_feeding(fifo, first=ndjson(records[:400]))
    holder = await wait_for_lock(es, pid=paused.pid)
    (building,) = [each.name for each in await list_generations(es, alias=alias) if each.state == "building"]
    os.kill(paused.pid, signal.SIGSTOP)
    try:
        held = await read_lock(es, index=LOCK_INDEX, alias=alias)
        assert held is not None
        assert held.token == holder.token
        await asyncio.sleep(max((held.expires - datetime.now(UTC)).total_seconds(), 0) + 0.2)

        taker = cli("release", "--sample")
        output = finished(taker)
        assert taker.returncode == 0, output
        assert f"took over an expired lock: `autos-graph data release --file {fifo}" in output
        assert f"removed what an interrupted release left: {building}" in output
        # The next number is free again: the taker's new live generation has the paused one's name.
        assert f"live: {alias} -> {building} (was " in output
        after_takeover = await cluster_state(es, alias)
        assert after_takeover["behind"] == [building]
        assert await document_count(es, alias=alias) == SAMPLE_SIZE
        assert after_takeover["lock"] is None
    finally:
        os.kill(paused.pid, signal.SIGCONT)
    # Awake, it reads the rest of its records; what it does next must be nothing.
    writer.write(ndjson(records[400:]))
    writer.close()
    output = finished(paused)
    assert paused.returncode == EXIT_LOCKED, output
    # Its fence (or its renewal, whichever runs first after SIGCONT) finds the lock gone.
    assert "the lock was removed or taken by another command" in output
    assert "Traceback" not in output
    assert await cluster_state(es, alias) == after_takeover, "the paused holder changed something"


async def test_a_fence_sees_a_lost_lock_at_once_not_at_the_next_renewal(
    es: AsyncElasticsearch, alias: str
) -> None:
    # A 60 s lease renews every 15 s: only the fence's own read can notice within this test.
    async with AliasLock(es, index=LOCK_INDEX, alias=alias, command="holder", lease_seconds=60) as lock:
        await lock.fence("delete nothing yet")
        await force_unlock(es, index=LOCK_INDEX, alias=alias)
        started = time.monotonic()
        with pytest.raises(LockLost, match="removed or taken by another command; stopped before delete"):
            await lock.fence("delete autos-unified-v1")
        assert time.monotonic() - started < 5
        other = LockHolder(
            alias=alias,
            host="elsewhere",
            pid=1,
            command="autos-graph data rollback",
            started=datetime.now(UTC),
            expires=datetime.now(UTC),
            token="someone-else",
        )
        await es.index(index=LOCK_INDEX, id=alias, document=other.document(), refresh=True)
        with pytest.raises(LockLost, match="stopped before swap"):
            await lock.fence("swap")
        await es.delete(index=LOCK_INDEX, id=alias)


async def test_a_swap_fails_as_a_whole_when_the_alias_moved_in_between(
    es: AsyncElasticsearch, alias: str
) -> None:
    first = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    names = [await create_generation(es, alias=alias, source="test") for _ in range(2)]
    for name in names:
        await mark(es, index=name, release_state="ready")
    mine, theirs = names

    async def another_swap_gets_in(step: str) -> None:
        # Between this swap's read of the alias and its `_aliases` call: another command's swap.
        await swap_alias(es, alias=alias, to=theirs)

    with pytest.raises(NotFoundError, match="aliases_not_found_exception"):
        await swap_alias(es, alias=alias, to=mine, fence=another_swap_gets_in)
    assert await indices_behind(es, alias=alias) == [theirs], "never on two generations"
    assert first.generation != theirs
