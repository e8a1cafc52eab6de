"""The per-process fallback window (the Redis one is tested against Redis in integration)."""

from __future__ import annotations

import pytest

from graph.http.rate_limit_store import MemoryWindowStore, WindowDecision


def test_the_window_allows_the_limit_then_refuses_with_time_to_the_oldest_slot() -> None:
    store = MemoryWindowStore()
    decisions = [store.hit("a", limit=3, window_seconds=60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert 59 <= decisions[-1].reset_seconds <= 60
    assert store.hit("b", limit=3, window_seconds=60).allowed  # keys are independent


def test_requests_age_out_of_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("graph.http.rate_limit_store.time.monotonic", lambda: now[0])
    store = MemoryWindowStore()
    assert store.hit("a", limit=1, window_seconds=60).allowed
    now[0] += 59.5
    refused = store.hit("a", limit=1, window_seconds=60)
    assert not refused.allowed
    assert refused.retry_after == 1
    now[0] += 0.6
    assert store.hit("a", limit=1, window_seconds=60).allowed


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryWindowStore, "MAX_KEYS", 10)
    store = MemoryWindowStore()
    for n in range(25):
        store.hit(f"client-{n}", limit=5, window_seconds=60)
    assert len(store._log) <= 10


def test_retry_after_is_whole_seconds_and_never_zero() -> None:
    assert WindowDecision(allowed=False, limit=1, remaining=0, reset_seconds=0.01).retry_after == 1
    assert WindowDecision(allowed=False, limit=1, remaining=0, reset_seconds=12.2).retry_after == 13
