"""A write in place (`data load --live`) is never answered from the caches filled before it:
it names a new revision of the live generation, which every served process reads and keys by."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import SAMPLE_SIZE, sample_records
from datasources.elastic.index_schema import drop_index
from datasources.releases.release import release
from tests.conftest import TEST_INDEX
from tests.integration.test_release_lock import cli, finished, ndjson
from tests.support.server import served

ALIAS = f"{TEST_INDEX}-revisions"


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await drop_index(es, alias=ALIAS)
    yield ALIAS
    await drop_index(es, alias=ALIAS)


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
            loading = cli(
                "load",
                "--file",
                str(rest),
                "--reject-file",
                str(tmp_path / "r.ndjson"),
                "--live",
                alias=alias,
            )
            output = finished(loading)
            assert loading.returncode == 0, output
            assert "written in place" in output

            async def whole() -> bool:
                return await answer_total(client) == SAMPLE_SIZE

            # The server reads the new revision at its next refresh (0.5 s): 20 s is slack, 120 s the TTL.
            assert await until(whole, timeout=20), "an answer cached before the load was still served"
