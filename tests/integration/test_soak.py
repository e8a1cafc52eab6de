"""Steady load against the served app (tests/support/soak.py): no errors, memory flat.

The 10 s run is the quick one (`make test-fast`); the 30-second one is `-m slow`
(both in `make test`). RSS is measured after a warm-up, so caches, connection
pools and the allocator have settled; what grows after that grows with the
number of requests: a leak.

The slow run was 60 s; at 30 s it sends half the requests, so the bound on the
growth after its first third is halved too (7.5 MB over ~800 requests): a leak
of the same bytes per request fails it as it failed the 60 s run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ES_URL, REDIS_URL
from tests.support.soak import SoakReport, run

MAX_RSS_GROWTH_MB = 30.0


async def soak_for(index: str, tmp_path: Path, *, seconds: float, warmup: float, rate: float) -> SoakReport:
    report = await run(
        index=index,
        seconds=seconds,
        rate=rate,
        warmup=warmup,
        log_path=tmp_path / "server.log",
        env={"ELASTICSEARCH_URL": ES_URL, "REDIS_URL": REDIS_URL, "ENVIRONMENT": "test"},
    )
    print(f"\n[soak] {report.summary()}")
    assert report.errors == 0, report.error_samples
    assert report.requests >= seconds * rate * 0.9, "the load did not keep its rate"
    assert report.rss_growth_mb < MAX_RSS_GROWTH_MB, report.rss_samples_mb
    return report


async def test_ten_seconds_of_steady_load(sample_index: str, tmp_path: Path) -> None:
    await soak_for(sample_index, tmp_path, seconds=10, warmup=3, rate=30)


@pytest.mark.slow
async def test_thirty_seconds_of_steady_load(sample_index: str, tmp_path: Path) -> None:
    report = await soak_for(sample_index, tmp_path, seconds=30, warmup=5, rate=40)
    # Past the first third, growth is what a leak would add per request: it must be far smaller still
    # (a quarter of the total bound: per request, the half the 60 s run allowed).
    third = len(report.rss_samples_mb) // 3
    assert report.rss_samples_mb[-1] - report.rss_samples_mb[third] < MAX_RSS_GROWTH_MB / 4
