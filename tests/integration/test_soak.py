"""Steady load against the served app (tests/support/soak.py): no errors, memory flat.

The fast run (10 s) is in `make test`; the 60-second one is `-m slow`. RSS is
measured after a warm-up, so caches, connection pools and the allocator have
settled; what grows after that grows with the number of requests: a leak.
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
async def test_sixty_seconds_of_steady_load(sample_index: str, tmp_path: Path) -> None:
    report = await soak_for(sample_index, tmp_path, seconds=60, warmup=10, rate=40)
    # Past the first third, growth is what a leak would add per request: it must be far smaller still.
    third = len(report.rss_samples_mb) // 3
    assert report.rss_samples_mb[-1] - report.rss_samples_mb[third] < MAX_RSS_GROWTH_MB / 2
