"""Releases against the real Elasticsearch: refused checks, an interrupted load, caches that follow."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import orjson
import pytest
from aiocache import Cache
from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from datasources.cache.backend import open_cache
from datasources.catalog.dataset import SAMPLE_SIZE, iter_records, sample_records
from datasources.elastic.errors import DataSourceUnavailable
from datasources.elastic.index_schema import document_count, drop_index, indices_behind
from datasources.elastic.index_version import IndexVersion
from datasources.releases.checks import check_generation
from datasources.releases.generations import list_generations
from datasources.releases.release import release, rollback
from tests.conftest import ES_URL, REDIS_URL, TEST_INDEX, app_client, make_settings
from tests.support.graphql import data_of

ALIAS = f"{TEST_INDEX}-release"
BIN = Path(sys.executable).parent / "autos-graph"
COUNTS = "{ vehicles(first: 1) { totalCount } facets { totalCount } }"


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await drop_index(es, alias=ALIAS)
    yield ALIAS
    await drop_index(es, alias=ALIAS)


def cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ELASTICSEARCH_URL": ES_URL, "ES_INDEX": ALIAS, "REDIS_URL": "", "LOG_LEVEL": "INFO"}
    return subprocess.Popen(
        [str(BIN), "data", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


async def test_a_release_whose_check_fails_leaves_the_live_generation_untouched(
    es: AsyncElasticsearch, alias: str, tmp_path: Path
) -> None:
    live = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    assert live.live
    unusable = tmp_path / "unusable.ndjson"
    unusable.write_text('{"manufacturer": "Ford"}\n{"not": "a vehicle"}\n', encoding="utf-8")
    process = cli("release", "--file", str(unusable), "--reject-file", str(tmp_path / "rejects.ndjson"))
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 3, output
    assert "FAILED  documents: the source held no valid record" in output
    assert "did not go live" in output
    assert await indices_behind(es, alias=alias) == [live.generation]
    assert await document_count(es, alias=alias) == SAMPLE_SIZE
    assert [each.name for each in await list_generations(es, alias=alias)] == [live.generation]


async def test_checks_name_what_is_wrong(es: AsyncElasticsearch, alias: str) -> None:
    live = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    report = await check_generation(es, index=live.generation, expected_documents=SAMPLE_SIZE + 1)
    assert not report.ok
    assert report.failed == [f"documents: {SAMPLE_SIZE:,} indexed, the source gave {SAMPLE_SIZE + 1:,}"]
    assert {line.split(":")[0] for line in report.passed} == {
        "mapping",
        "picker",
        "filtered search",
        "id lookup",
    }


async def test_sigterm_during_the_load_leaves_the_live_generation_and_the_next_release_cleans_up(
    es: AsyncElasticsearch, alias: str
) -> None:
    live = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    process = cli("release", "--full")
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    for line in process.stdout:  # JSON log lines: the load has begun once one reports progress
        if b'"bulk progress"' in line:
            break
        assert time.monotonic() < deadline, "the release never started loading"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.returncode != 0
    generations = {each.name: each for each in await list_generations(es, alias=alias)}
    (half_built,) = [each for name, each in generations.items() if name != live.generation]
    assert half_built.state == "building"
    assert not half_built.live
    assert await indices_behind(es, alias=alias) == [live.generation]
    async for client in app_client(make_settings(es_index=alias)):
        counts = await data_of(client, COUNTS)
    assert counts == {"vehicles": {"totalCount": SAMPLE_SIZE}, "facets": {"totalCount": SAMPLE_SIZE}}

    following = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    assert following.live
    assert following.removed_half_built == [half_built.name]
    remaining = [each.name for each in await list_generations(es, alias=alias)]
    assert remaining == [live.generation, following.generation]


async def test_the_swapping_process_follows_at_once_and_rollback_returns(
    es: AsyncElasticsearch, alias: str
) -> None:
    first = await release(es, alias=alias, source="sample", records=iter_records("sample"))
    version = IndexVersion(client=es, alias=alias)
    assert await version.refresh() == first.generation
    second = await release(
        es, alias=alias, source="sample[:600]", records=sample_records()[:600], on_swap=version.follow
    )
    assert version.generation == second.generation, "no refresh needed in the process that swapped"
    back = await rollback(es, alias=alias, on_swap=version.follow)
    assert (back.left, back.live) == (second.generation, first.generation)
    assert version.generation == first.generation
    assert await document_count(es, alias=alias) == SAMPLE_SIZE


@pytest.fixture
async def redis_cache() -> AsyncIterator[Cache]:
    cache = open_cache(redis_url=REDIS_URL, namespace=f"autos-graph:{ALIAS}-stale-test")
    await cache.clear()
    yield cache
    await cache.clear()
    await cache.close()


async def test_after_a_swap_the_old_generation_is_never_fresh_but_serves_stale_in_an_outage(
    redis_cache: Cache,
) -> None:
    generation = ["gen-a"]
    cache = AggregationCache(backend=redis_cache, ttl_seconds=30, index_version=lambda: generation[0])

    async def value(result: int) -> int:
        return result

    async def unavailable() -> int:
        raise DataSourceUnavailable("Elasticsearch is down")

    async def read(compute: Callable[[], Awaitable[int]]) -> tuple[int, bool]:
        cached = await cache.get_or_compute(
            name="totals",
            arguments=None,
            compute=compute,
            encode=lambda v: v,
            decode=int,
        )
        return cached.value, cached.stale

    assert await read(lambda: value(1000)) == (1000, False)
    assert await read(lambda: value(-1)) == (1000, False), "a fresh hit within the generation"
    generation[0] = "gen-b"
    assert await read(lambda: value(700)) == (700, False), "the new generation recomputes"
    generation[0] = "gen-c"
    assert await read(unavailable) == (700, True), "the previous generation's value, marked stale"
    stored = orjson.loads(await redis_cache.get(cache.last_known_key("totals", None)))
    assert stored["g"] == "gen-b"
