"""Indices loaded with the project's datasets, shared by the whole integration suite.

Loading is skipped when the index already holds exactly the dataset (same
fingerprint in `_meta`, same document count), so a second run starts in
seconds. Tests must treat these indices as read-only; a test that writes makes
an index of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis
from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import DatasetKind
from datasources.elastic.bulk_loader import holds_dataset, load_dataset
from datasources.elastic.index_schema import create_index
from tests.conftest import ES_URL, TEST_INDEX
from tests.support.cached_aggregations import delete_cached_aggregations
from tests.support.redis_server import RedisServer

FULL_TEST_INDEX = f"{TEST_INDEX}-full"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/integration needs the real Elasticsearch and Redis: `-m integration`
    selects them, `-m "not integration"` runs the rest without the services."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


async def ensure_dataset(*, alias: str, kind: DatasetKind) -> str:
    client = AsyncElasticsearch(ES_URL, request_timeout=60)
    try:
        if not await holds_dataset(client, alias=alias, kind=kind):
            # Recreated rather than topped up: stray documents from an older
            # catalog would otherwise survive and skew every count.
            await create_index(client, alias=alias, recreate=True)
            await load_dataset(client, alias=alias, kind=kind)
    finally:
        await client.close()
    return alias


@pytest.fixture(scope="session")
async def sample_index() -> str:
    """The alias TEST_INDEX holding exactly the 1,000 sample records, refreshed."""
    return await ensure_dataset(alias=TEST_INDEX, kind="sample")


@pytest.fixture(scope="session")
async def full_index() -> str:
    """The alias `<TEST_INDEX>-full` holding the full dataset (100,000+ records), refreshed."""
    return await ensure_dataset(alias=FULL_TEST_INDEX, kind="full")


@pytest.fixture
async def cold_redis(sample_index: str) -> None:
    """No cached aggregation of the sample index survives from an earlier test or run."""
    await delete_cached_aggregations(sample_index)


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A private redis-server of the test's own, to kill, pause or restart at will."""
    server = RedisServer(directory=tmp_path / "redis")
    await server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
async def admin(redis_server: RedisServer) -> AsyncIterator[redis.Redis]:
    """A plain client of the private redis-server, to seed keys and read its statistics."""
    client = redis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()
