"""`autos_graph_live_generation_info` follows the alias: moved by hand, every worker's series
moves with it, and the old generation's series goes (or drops to 0 with several workers)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from elasticsearch import AsyncElasticsearch
from prometheus_client.parser import text_string_to_metric_families

from datasources.catalog.dataset import sample_records
from datasources.elastic.index_schema import drop_index, indices_behind
from datasources.releases.release import release
from tests.conftest import TEST_INDEX, app_client, make_settings
from tests.support.server import served

ALIAS = f"{TEST_INDEX}-live-metric"
FAMILY = "autos_graph_live_generation_info"

Series = list[tuple[dict[str, str], float]]


@pytest.fixture
async def generations(es: AsyncElasticsearch) -> AsyncIterator[tuple[str, str]]:
    """Two small generations; the second is live."""
    await drop_index(es, alias=ALIAS)
    first = await release(es, alias=ALIAS, source="sample[:200]", records=sample_records()[:200])
    second = await release(es, alias=ALIAS, source="sample[200:400]", records=sample_records()[200:400])
    yield first.generation, second.generation
    await drop_index(es, alias=ALIAS)


def series(text: str) -> Series:
    return [
        (dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        if family.name == FAMILY
        for sample in family.samples
    ]


async def move_alias(es: AsyncElasticsearch, *, to: str) -> None:
    """By hand, as an operator (or another replica's release) would: the process is not told."""
    actions = [{"remove": {"index": name, "alias": ALIAS}} for name in await indices_behind(es, alias=ALIAS)]
    await es.indices.update_aliases(actions=[*actions, {"add": {"index": to, "alias": ALIAS}}])


async def scrape_until(
    client: httpx.AsyncClient, done: Callable[[Series], bool], *, timeout: float = 15
) -> Series:
    deadline = time.monotonic() + timeout
    while True:
        found = series((await client.get("/metrics")).text)
        if done(found):
            return found
        assert time.monotonic() < deadline, f"the metric never got there: {found}"
        await asyncio.sleep(0.1)


async def test_the_metric_follows_a_swap_made_elsewhere(
    es: AsyncElasticsearch, generations: tuple[str, str]
) -> None:
    old, live = generations
    settings = make_settings(es_index=ALIAS, generation_refresh_seconds=0.1)
    async for client in app_client(settings):
        assert series((await client.get("/metrics")).text) == [({"index": live}, 1.0)]
        await move_alias(es, to=old)
        found = await scrape_until(client, lambda found: ({"index": old}, 1.0) in found)
        assert found == [({"index": old}, 1.0)], "the old generation's series is removed"


async def test_each_worker_reports_the_generation_it_reads(
    es: AsyncElasticsearch, generations: tuple[str, str], tmp_path: Path
) -> None:
    old, live = generations
    directory = tmp_path / "prometheus"
    with served(
        index=ALIAS,
        log_path=tmp_path / "serve.log",
        WORKERS="2",
        PROMETHEUS_MULTIPROC_DIR=str(directory),
        GENERATION_REFRESH_SECONDS="0.1",
    ) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:

            def reading(index: str) -> Callable[[Series], bool]:
                def every_worker(found: Series) -> bool:
                    pids = {
                        labels["pid"] for labels, value in found if labels["index"] == index and value == 1
                    }
                    return len(pids) == 2

                return every_worker

            before = await scrape_until(client, reading(live), timeout=30)
            assert {labels["index"] for labels, value in before if value == 1} == {live}
            await move_alias(es, to=old)
            after = await scrape_until(client, reading(old))
    assert {labels["index"] for labels, value in after if value == 1} == {old}
    # prometheus-client cannot delete a worker's series from its file: the old one stays, at 0.
    assert {labels["pid"] for labels, value in after if labels["index"] == live and value == 0} == {
        labels["pid"] for labels, _ in before
    }
