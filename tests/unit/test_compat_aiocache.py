"""What datasources/compat/aiocache.py takes from aiocache beyond its documented API.

Each test fails when an aiocache upgrade changes how connection pool options
reach redis-py, before the backend (datasources/cache/backend.py) loses its
timeouts.
"""

from __future__ import annotations

from typing import Any

from aiocache import Cache, RedisCache
from redis.asyncio import Redis, SSLConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from datasources.cache.backend import (
    REDIS_CONNECT_TIMEOUT_SECONDS,
    REDIS_OPERATION_TIMEOUT_SECONDS,
    open_cache,
)
from datasources.compat.aiocache import redis_connection_options


def redis_cache(**options: Any) -> RedisCache:
    # Building a Redis cache connects nowhere: no server is needed here.
    cache = Cache(Cache.REDIS, endpoint="127.0.0.1", port=1, namespace="ns", **options)
    assert isinstance(cache, RedisCache)
    return cache


def pool_of(cache: RedisCache) -> Any:
    client = cache.client
    assert isinstance(client, Redis)
    return client.connection_pool


def test_pool_options_and_tls_reach_redis_py() -> None:
    retry = Retry(NoBackoff(), 1)
    cache = redis_cache(
        create_connection_timeout=0.5, **redis_connection_options(socket_timeout=0.25, retry=retry, tls=True)
    )
    pool = pool_of(cache)
    assert pool.connection_kwargs["socket_timeout"] == 0.25
    assert pool.connection_kwargs["socket_connect_timeout"] == 0.5
    assert pool.connection_kwargs["retry"] is retry
    assert pool.connection_class is SSLConnection
    plain = redis_cache(**redis_connection_options(socket_timeout=0.25, retry=retry, tls=False))
    assert pool_of(plain).connection_class is not SSLConnection


def test_the_backend_gives_the_pool_its_bounds() -> None:
    cache = open_cache(redis_url="rediss://:secret@127.0.0.1:1/3", namespace="ns", binary=True)
    assert isinstance(cache, RedisCache)
    pool = pool_of(cache)
    assert pool.connection_kwargs["socket_timeout"] == REDIS_OPERATION_TIMEOUT_SECONDS
    assert pool.connection_kwargs["socket_connect_timeout"] == REDIS_CONNECT_TIMEOUT_SECONDS
    assert pool.connection_kwargs["db"] == 3
    assert pool.connection_kwargs["password"] == "secret"
    assert pool.connection_class is SSLConnection
    assert isinstance(pool.connection_kwargs["retry"], Retry)
