"""What datasources/compat/aiocache.py takes from aiocache beyond its documented API.

Each test fails when an aiocache upgrade changes one of those names, before the
batch client (datasources/cache/batch_client.py) writes where aiocache does not
read, or the backend (datasources/cache/backend.py) loses its timeouts. The
round trip against a real Redis (aiocache reads what a batch wrote and the
other way round) is tests/integration/test_batch_client.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiocache import Cache, RedisCache
from redis.asyncio import Redis, SSLConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from datasources.cache.backend import (
    REDIS_CONNECT_TIMEOUT_SECONDS,
    REDIS_OPERATION_TIMEOUT_SECONDS,
    open_cache,
)
from datasources.compat.aiocache import key_builder, redis_client, redis_connection_options


def redis_cache(**options: Any) -> RedisCache:
    # Building a Redis cache connects nowhere: no server is needed here.
    cache = Cache(Cache.REDIS, endpoint="127.0.0.1", port=1, namespace="ns", **options)
    assert isinstance(cache, RedisCache)
    return cache


def test_a_redis_cache_holds_a_redis_py_client_that_never_decodes() -> None:
    cache = redis_cache()
    client = redis_client(cache)
    assert client is cache.client
    assert isinstance(client, Redis)
    assert client.connection_pool.connection_kwargs["decode_responses"] is False


def test_a_client_that_is_not_redis_py_is_refused() -> None:
    class Impostor(RedisCache):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(endpoint="127.0.0.1", port=1)
            self.client = object()

    with pytest.raises(TypeError, match="not redis-py's Redis"):
        redis_client(Impostor())


def test_keys_are_the_namespace_a_colon_and_the_key() -> None:
    build = key_builder(redis_cache())
    assert build("answer") == "ns:answer"
    assert build("a:b") == "ns:a:b"


async def test_aiocache_reads_and_writes_under_those_keys_on_that_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = redis_cache()
    client = redis_client(cache)
    calls: list[tuple[str, tuple[Any, ...]]] = []

    def recording(name: str, reply: Any) -> Any:
        async def command(*args: Any, **_: Any) -> Any:
            calls.append((name, args))
            return reply

        return command

    monkeypatch.setattr(client, "get", recording("get", None))
    monkeypatch.setattr(client, "mget", recording("mget", [None, None]))
    monkeypatch.setattr(client, "psetex", recording("psetex", True))
    await cache.get("one")
    await cache.multi_get(["a", "b"])
    await cache.set("one", "value", ttl=1.5)
    assert calls == [
        ("get", ("ns:one",)),
        ("mget", ("ns:a", "ns:b")),
        ("psetex", ("ns:one", 1500, '"value"')),
    ]


def test_pool_options_and_tls_reach_redis_py() -> None:
    retry = Retry(NoBackoff(), 1)
    cache = redis_cache(
        create_connection_timeout=0.5, **redis_connection_options(socket_timeout=0.25, retry=retry, tls=True)
    )
    pool = redis_client(cache).connection_pool
    assert pool.connection_kwargs["socket_timeout"] == 0.25
    assert pool.connection_kwargs["socket_connect_timeout"] == 0.5
    assert pool.connection_kwargs["retry"] is retry
    assert pool.connection_class is SSLConnection
    plain = redis_cache(**redis_connection_options(socket_timeout=0.25, retry=retry, tls=False))
    assert redis_client(plain).connection_pool.connection_class is not SSLConnection


def test_the_backend_gives_the_pool_its_bounds() -> None:
    cache = open_cache(redis_url="rediss://:secret@127.0.0.1:1/3", namespace="ns", binary=True)
    assert isinstance(cache, RedisCache)
    pool = redis_client(cache).connection_pool
    assert pool.connection_kwargs["socket_timeout"] == REDIS_OPERATION_TIMEOUT_SECONDS
    assert pool.connection_kwargs["socket_connect_timeout"] == REDIS_CONNECT_TIMEOUT_SECONDS
    assert pool.connection_kwargs["db"] == 3
    assert pool.connection_kwargs["password"] == "secret"
    assert pool.connection_class is SSLConnection
    assert isinstance(pool.connection_kwargs["retry"], Retry)
