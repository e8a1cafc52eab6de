"""Cursor pagination keeps going past Elasticsearch's 10,000-hit window."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of

PAGE = """
query($after: String) {
  vehicles(first: 100, after: $after, sort: [{field: INSTANCE_COUNT, direction: DESC}]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}
"""


@pytest.fixture
async def client(full_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=full_index)):
        yield each


async def test_walks_past_ten_thousand_without_gaps_or_duplicates(client: httpx.AsyncClient) -> None:
    seen: set[str] = set()
    after = None
    total = 0
    for _ in range(105):  # 10,500 vehicles
        connection = (await data_of(client, PAGE, {"after": after}))["vehicles"]
        total = connection["totalCount"]
        ids = [n["id"] for n in connection["nodes"]]
        assert len(ids) == 100
        assert not seen & set(ids)
        seen.update(ids)
        after = connection["pageInfo"]["endCursor"]
    assert total >= 100_000
    assert len(seen) == 10_500
