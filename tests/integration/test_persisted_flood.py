"""The persisted-document flood, short: what scripts/persisted_flood.py measures at full size.

Two replicas as k8s/configmap.yaml deploys them, the cache and limiter Redis as
k8s/ runs them, and the store's bound lowered to 2 MiB so a short flood passes
it several times over. Asserted: the documents never hold more than the bound;
a flooding client, once answered 429, is answered 429 until its minute is over;
the other replica's ordinary cached reads keep hitting; no 5xx anywhere.
"""

from __future__ import annotations

import asyncio

import pytest

from scripts.persisted_flood import FloodOptions, run
from tests.conftest import ES_URL

BOUND_BYTES = 2 * 2**20


@pytest.mark.slow
async def test_a_flood_of_registrations_stays_within_the_bound_and_the_limits(sample_index: str) -> None:
    options = FloodOptions(
        registrations=600,
        addresses=6,
        size=30_000,
        index=sample_index,
        elasticsearch_url=ES_URL,  # the suite's Elasticsearch, wherever it runs
        changes={"PERSISTED_DOCUMENTS_MAX_BYTES": str(BOUND_BYTES)},
    )
    report = await asyncio.to_thread(run, options)
    print(f"[flood] {report}")
    # 30 registrations a minute per address are admitted, 33 KB each: six times the bound.
    assert report.flood_statuses == {"200": 180, "429": 420}
    assert report.flood_codes["RATE_LIMITED"] == 420
    assert report.bound_bytes == BOUND_BYTES
    assert 0 < report.memory_peak.document_bytes <= BOUND_BYTES
    assert report.memory_after.documents < 180
    # Redis' own count grew by the documents and little else (answers, scripts, buffers).
    assert report.memory_peak.used_memory - report.memory_before.used_memory < 2 * BOUND_BYTES
    assert report.admitted_after_limit == 0
    assert report.steady_requests > 0
    assert report.steady_failures == 0
    assert report.hit_ratio >= 0.9
    assert report.server_errors == 0
