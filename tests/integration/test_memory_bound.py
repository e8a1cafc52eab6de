"""A served worker stays within its memory target however many distinct documents it is sent.

Clients that inline their values send a new document with every request; each
is parsed, validated and planned. The document cache is bounded in bytes
(DOCUMENT_CACHE_MAX_BYTES), so after 10,000 of them the worker's RSS stays under the
150 MB target (the pod limit is 256 Mi). scripts/cold_path.py `memory` measures
the same on a loaded index.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.server import served

pytestmark = pytest.mark.slow

DOCUMENTS = 10_000
RSS_LIMIT_MIB = 150


def literal_documents(count: int) -> list[str]:
    combos = itertools.product(range(1900, 2026), range(1, 101))
    documents = [
        f'query Literal {{ vehicles(filter: {{ yearMin: {low}, yearMax: {low + 3}, search: "ford" }}, '
        f"sort: [{{ field: YEAR, direction: DESC }}], first: {first}) {{ totalCount "
        "pageInfo { hasNextPage endCursor } nodes { id manufacturer model year bodyClass } } }"
        for (low, first) in itertools.islice(combos, count)
    ]
    assert len(set(documents)) == count
    return documents


def test_rss_stays_under_the_target_after_ten_thousand_distinct_documents(
    sample_index: str, tmp_path: Path
) -> None:
    documents = literal_documents(DOCUMENTS)
    with (
        served(
            index=sample_index, log_path=tmp_path / "server.log", ENVIRONMENT="production", WORKERS="1"
        ) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        worker = next(
            process
            for process in psutil.Process().children(recursive=True)
            if "serve" in " ".join(process.cmdline())
        )
        answered = 0
        for document in documents:
            response = client.post("/graphql", json={"query": document})
            assert response.status_code == 200, response.text[:500]
            answered += "errors" not in response.json()
        rss_mib = worker.memory_info().rss / 2**20
    print(f"[memory] RSS after {DOCUMENTS} distinct documents: {rss_mib:.1f} MiB")
    assert answered == DOCUMENTS
    assert rss_mib <= RSS_LIMIT_MIB
