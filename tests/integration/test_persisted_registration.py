"""Registering persisted documents over HTTP: a budget per client, and a size limit that counts comments."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from graph.gql.query_limits import LIMITS
from tests.conftest import TEST_INDEX, make_settings
from tests.support.asgi import client_of, running_app
from tests.support.graphql import error_codes
from tests.support.redis_keys import delete_matching

REFUSED = "autos_graph_persisted_registrations_refused_total"


@pytest.fixture
async def key_prefix() -> AsyncIterator[str]:
    """A limiter key prefix of this test's own; its keys, and the documents registered, go afterwards."""
    prefix = f"autos-graph-test:ratelimit:{uuid.uuid4().hex}"
    yield prefix
    await delete_matching(f"{prefix}:*", f"autos-graph:{TEST_INDEX}:{{apq}}:*")


def new_document(size: int = 0) -> tuple[str, str]:
    text = f"query Fresh{uuid.uuid4().hex} {{ __typename }}"
    if size:
        text += "\n#" + "x" * (size - len(text) - 2)
    return text, hashlib.sha256(text.encode()).hexdigest()


def apq(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def register(client: httpx.AsyncClient, text: str, sha256: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": text, "extensions": apq(sha256)})


async def by_hash(client: httpx.AsyncClient, sha256: str) -> httpx.Response:
    return await client.post("/graphql", json={"extensions": apq(sha256)})


def refused_total() -> float:
    return REGISTRY.get_sample_value(REFUSED) or 0.0


async def test_a_client_past_its_registration_budget_gets_429_and_others_do_not(key_prefix: str) -> None:
    settings = make_settings(persisted_registrations_per_minute=3, rate_limit_key_prefix=key_prefix)
    documents = [new_document() for _ in range(4)]
    refused_before = refused_total()
    async with running_app(settings) as app:
        async with client_of(app, "198.51.100.7") as client:
            for text, sha256 in documents[:3]:
                assert (await register(client, text, sha256)).status_code == 200
            over = await register(client, *documents[3])
            # Known documents cost nothing: sent again with their text, or by hash alone.
            again = await register(client, *documents[0])
            known = await by_hash(client, documents[1][1])
            never_stored = await by_hash(client, documents[3][1])
        async with client_of(app, "198.51.100.8") as other:
            elsewhere = await register(other, *new_document())
    assert over.status_code == 429
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert error_codes(over.json()) == ["RATE_LIMITED"]
    assert "persisted documents" in over.json()["errors"][0]["message"]
    assert again.status_code == 200
    assert "errors" not in again.json()
    assert known.json()["data"] == {"__typename": "Query"}
    assert error_codes(never_stored.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert elsewhere.status_code == 200
    assert refused_total() == refused_before + 1


async def test_an_ipv6_client_cannot_rotate_through_its_64_to_register_more(key_prefix: str) -> None:
    settings = make_settings(persisted_registrations_per_minute=2, rate_limit_key_prefix=key_prefix)
    statuses = []
    async with running_app(settings) as app:
        for host in range(1, 5):
            async with client_of(app, f"2001:db8:5:6::{host:x}") as client:
                statuses.append((await register(client, *new_document())).status_code)
    assert statuses == [200, 200, 429, 429]


async def test_comment_padding_counts_towards_the_document_limit_and_is_never_stored(key_prefix: str) -> None:
    settings = make_settings(persisted_registrations_per_minute=100, rate_limit_key_prefix=key_prefix)
    padded, sha256 = new_document(size=60_000)
    assert padded.startswith("query Fresh")
    assert len(padded) == 60_000
    async with running_app(settings) as app, client_of(app) as client:
        refused = await register(client, padded, sha256)
        missing = await by_hash(client, sha256)
        at_limit, at_limit_sha = new_document(size=LIMITS.max_document_characters)
        accepted = await register(client, at_limit, at_limit_sha)
    assert refused.status_code == 200  # application/json: errors travel in a 200 body
    assert error_codes(refused.json()) == ["QUERY_TOO_COMPLEX"]
    assert f"at most {LIMITS.max_document_characters}" in refused.json()["errors"][0]["message"]
    assert error_codes(missing.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert accepted.json()["data"] == {"__typename": "Query"}
