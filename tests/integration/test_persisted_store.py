"""The persisted documents' store on the real Redis: bounded in bytes and count, least recently used out."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from datasources.cache.document_store import (
    BOOKKEEPING_BYTES,
    DocumentStore,
    StoreBounds,
    open_document_redis,
)
from tests.conftest import REDIS_URL
from tests.support.redis_keys import delete_matching


@pytest.fixture
async def namespace() -> AsyncIterator[str]:
    """A key namespace of this test's own, removed afterwards."""
    name = f"autos-graph-test:{uuid.uuid4().hex}"
    yield name
    await delete_matching(f"{name}:*")


def store(
    namespace: str, *, max_bytes: int = 2**20, max_count: int = 1000, local: bool = True
) -> DocumentStore:
    return DocumentStore(
        redis=open_document_redis(REDIS_URL),
        bounds=StoreBounds(max_bytes=max_bytes, max_count=max_count),
        namespace=namespace,
        # Without its own copy, every lookup reads (and touches) Redis: what another replica sees.
        max_local_bytes=2**20 if local else 0,
    )


def document(number: int, size: int = 1000) -> tuple[str, str]:
    text = f"{{ __typename }} # {number} ".ljust(size, "x")
    return hashlib.sha256(text.encode()).hexdigest(), text


async def held(namespace: str) -> list[str]:
    """The documents' keys in Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return sorted([key.decode() async for key in client.scan_iter(match=f"{namespace}:{{apq}}:doc:*")])
    finally:
        await client.aclose()


async def test_a_registered_document_is_found_by_another_replica(namespace: str) -> None:
    first, other = store(namespace), store(namespace, local=False)
    sha, text = document(1)
    await first.put(sha, text)
    assert await other.get(sha) == text
    assert await other.get(document(2)[0]) is None
    usage = await other.usage()
    assert usage.documents == 1
    # What Redis spends on it, and the bookkeeping's share.
    assert 1000 + BOOKKEEPING_BYTES <= usage.bytes <= 1200 + BOOKKEEPING_BYTES
    await first.close()
    await other.close()


async def cost_of_one(namespace: str) -> int:
    """About the bytes one document of `document()`'s size is charged (its keys are a little longer)."""
    probe = store(f"{namespace}:probe")
    await probe.put(*document(-1))
    cost = (await probe.usage()).bytes
    await probe.close()
    return cost


async def test_the_bytes_held_stay_under_the_bound_oldest_first_out(namespace: str) -> None:
    each = await cost_of_one(namespace)
    documents = store(namespace, max_bytes=5 * each + each // 2)
    registered = [document(number) for number in range(12)]
    for sha, text in registered:
        await documents.put(sha, text)
        assert (await documents.usage()).bytes <= 5 * each + each // 2
    usage = await documents.usage()
    assert usage.documents == 5
    assert 4 * each < usage.bytes <= 5 * each + each // 2
    reader = store(namespace, local=False)
    assert [await reader.get(sha) is not None for sha, _ in registered] == [False] * 7 + [True] * 5
    assert len(await held(namespace)) == 5
    await documents.close()
    await reader.close()


async def test_the_count_is_bounded_too(namespace: str) -> None:
    documents = store(namespace, max_count=3)
    for number in range(10):
        await documents.put(*document(number, size=100))
    assert (await documents.usage()).documents == 3
    assert len(await held(namespace)) == 3
    await documents.close()


async def test_a_document_in_use_outlives_newer_ones_that_are_not(namespace: str) -> None:
    documents = store(namespace, max_count=3, local=False)
    old, second, third, fourth = (document(number) for number in range(4))
    for sha, text in (old, second, third):
        await documents.put(sha, text)
    assert await documents.get(old[0]) == old[1]  # used: now the most recent
    await documents.put(*fourth)
    assert await documents.get(old[0]) == old[1]
    assert await documents.get(second[0]) is None  # the least recently used went
    assert await documents.get(third[0]) == third[1]
    await documents.close()


async def test_registering_again_counts_the_document_once(namespace: str) -> None:
    documents = store(namespace)
    sha, text = document(1)
    for _ in range(3):
        await documents.put(sha, text)
    once = await documents.usage()
    await documents.put(*document(2))
    assert once.documents == 1
    assert (await documents.usage()).bytes == 2 * once.bytes
    await documents.close()


async def test_the_documents_have_no_ttl_so_a_volatile_lru_redis_never_evicts_them(namespace: str) -> None:
    documents = store(namespace)
    await documents.put(*document(1))
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*")]
        assert len(keys) == 5  # the document, last use, sizes, total, use counter
        assert [await client.ttl(key) for key in keys] == [-1] * 5
    finally:
        await client.aclose()
    await documents.close()


async def test_an_unreachable_redis_makes_registration_local_and_never_raises() -> None:
    documents = DocumentStore(
        redis=open_document_redis("redis://127.0.0.1:1/0"), bounds=StoreBounds(max_bytes=2**20, max_count=10)
    )
    sha, text = document(1)
    await documents.put(sha, text)
    assert await documents.get(sha) == text  # its own copy
    assert await documents.get(document(2)[0]) is None
    await documents.close()
