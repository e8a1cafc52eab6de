"""A write in place (`data load --live`) is never answered from the caches filled before it:
it names a new revision of the live generation, which every served process reads and keys by,
and which the release feed still announces as the generation it is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import SAMPLE_SIZE, sample_records
from datasources.elastic.index_schema import document_count, drop_index
from datasources.elastic.index_version import IndexVersion
from datasources.releases.going_live import SwapKind, describe_live
from datasources.releases.release import release
from datasources.releases.revisions import bump_revision
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


async def test_a_revision_is_read_and_announced_as_its_generation(es: AsyncElasticsearch, alias: str) -> None:
    released = await release(es, alias=alias, source="part", records=sample_records()[:700])
    revision = await bump_revision(es, alias=alias)
    assert revision.startswith(f"{released.generation}-r")
    version = IndexVersion(client=es, alias=alias)
    assert await version.refresh() == revision, "the API reads and keys by the newest revision"
    assert await document_count(es, alias=version.generation) == 700
    live = await describe_live(es, alias=alias, generation=version.generation)
    assert (live.generation, live.documents, live.kind) == (released.generation, 700, SwapKind.RELEASE)
    newer = await bump_revision(es, alias=alias)
    aliases = (await es.indices.get_alias(index=released.generation)).body[released.generation]["aliases"]
    assert sorted(aliases) == sorted([alias, newer]), "the older revision alias went in the same call"
