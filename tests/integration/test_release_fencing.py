"""The release lock as a fence, against the real Elasticsearch and the CLI as operators run it.

A data command run during a release is refused and touches nothing; a holder
paused (SIGSTOP) past its lease changes nothing after another command took the
lock over and acted; a fence sees a lost lock at once, not at the next renewal;
an alias swap fails as a whole when the alias moved under it; and a write in
place (`data load --live`) is never answered from the caches filled before it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError

from datasources.catalog.dataset import SAMPLE_SIZE, iter_records, sample_records
from datasources.elastic.index_schema import document_count, drop_index, indices_behind
from datasources.releases.generations import create_generation, list_generations, mark, swap_alias
from datasources.releases.lock import AliasLock, LockHolder, LockLost, force_unlock, read_lock
from datasources.releases.release import release
from tests.conftest import LOCK_INDEX
from tests.integration.test_release_lock import (
    ALIAS,
    EXIT_LOCKED,
    cli,
    finished,
    ndjson,
    start_feeding,
    wait_for_lock,
)
from tests.support.server import served

# The paused holder's lease: long enough to pass its own fences on a loaded machine, short
# enough that waiting it out keeps the test to seconds.
PAUSED_LEASE = 4.0


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await drop_index(es, alias=ALIAS)
    await force_unlock(es, index=LOCK_INDEX, alias=ALIAS)
    yield ALIAS
    await force_unlock(es, index=LOCK_INDEX, alias=ALIAS)
    await drop_index(es, alias=ALIAS)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "records.ndjson"
    os.mkfifo(path)
    return path


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
    live = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    records = sample_records()
    releasing = cli("release", "--file", str(fifo), "--reject-file", str(tmp_path / "rejects.ndjson"))
    writer = await start_feeding(fifo, first=ndjson(records[:400]))
    await wait_for_lock(es, pid=releasing.pid)
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


async def answer_total(client: httpx.AsyncClient) -> int:
    response = await client.post("/graphql", json={"query": "{ vehicles(first: 1) { totalCount } }"})
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["vehicles"]["totalCount"])


async def until(predicate: Callable[[], Awaitable[bool]], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_answers_cached_before_a_live_load_are_not_served_after_it(
    es: AsyncElasticsearch, alias: str, tmp_path: Path
) -> None:
    records = sample_records()
    await release(es, alias=alias, source="part", records=records[:700])
    rest = tmp_path / "rest.ndjson"
    rest.write_bytes(ndjson(records[700:]))
    # Answers live for two minutes, so one served after the load can only be a stale one.
    with served(
        index=alias,
        log_path=tmp_path / "server.log",
        CACHE_TTL_SECONDS="120",
        ANSWER_CACHE_TTL_SECONDS="120",
    ) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            assert await answer_total(client) == 700
            assert await answer_total(client) == 700  # now cached
            loading = cli("load", "--file", str(rest), "--reject-file", str(tmp_path / "r.ndjson"), "--live")
            output = finished(loading)
            assert loading.returncode == 0, output
            assert "written in place" in output

            async def whole() -> bool:
                return await answer_total(client) == SAMPLE_SIZE

            # The server reads the new revision at its next refresh (0.5 s): 20 s is slack, 120 s the TTL.
            assert await until(whole, timeout=20), "an answer cached before the load was still served"
