"""Shared fixtures. The services are started by `make test` (scripts/shell/with_services.sh),
never by the suite itself; tests that need them fail clearly when they are down."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from elasticsearch import AsyncElasticsearch

from graph.app import create_app
from graph.settings import Settings, load_settings

ES_URL = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Tests get an index of their own so they never touch a developer's data.
TEST_INDEX = os.environ.get("AUTOS_TEST_INDEX", "autos-graph-test")
# And a release-lock index of their own, inherited by the `autos-graph data` processes they start.
LOCK_INDEX = os.environ.setdefault("RELEASE_LOCK_INDEX", f"{TEST_INDEX}-locks")


def es_host_port() -> tuple[str, int]:
    parts = urlsplit(ES_URL)
    return parts.hostname or "127.0.0.1", parts.port or 9200


def redis_host_port() -> tuple[str, int]:
    parts = urlsplit(REDIS_URL)
    return parts.hostname or "127.0.0.1", parts.port or 6379


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "elasticsearch_url": ES_URL,
        "redis_url": REDIS_URL,
        "es_index": TEST_INDEX,
        "environment": "test",
        "es_startup_timeout_seconds": 10,
        # Suites send bursts from one address; the limiter has tests of its own.
        "rate_limit_per_minute": 0,
        "persisted_registrations_per_minute": 0,
        "cost_budget_per_minute": 0,
        # Suites count Elasticsearch round trips and fail Elasticsearch on purpose: an answer
        # cached by an earlier test would hide both. The answer cache has tests of its own.
        "answer_cache": False,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return make_settings()


@pytest.fixture
async def es() -> AsyncIterator[AsyncElasticsearch]:
    client = AsyncElasticsearch(ES_URL, request_timeout=30)
    try:
        yield client
    finally:
        await client.close()


async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    # Shutdown may take what the deployment grants a draining pod (25 s), not asgi-lifespan's
    # default 5 s: after a Redis fault, closing its clients waits out their timeouts.
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=25) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(settings):
        yield each
