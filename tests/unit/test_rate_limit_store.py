"""The in-process windows: exact for this process's admissions, bucketed for the other replicas'.

The exchange with Redis is tested against Redis in tests/integration/test_rate_limit.py;
here the other replicas' counts are handed in as an exchange would return them.
"""

from __future__ import annotations

import random

import pytest

from graph.http.rate_limit_store import ClientWindows, SharedWindow, WindowDecision

BUCKET_US = 1_000_000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr("graph.http.rate_limit_store.time.monotonic", lambda: now[0])
    return now


def windows() -> ClientWindows:
    return ClientWindows(window_seconds=60, bucket_seconds=1)


def test_the_window_allows_the_limit_then_refuses_with_time_to_the_oldest_slot() -> None:
    store = windows()
    decisions = [store.hit("a", limit=3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert 59 <= decisions[-1].reset_seconds <= 60
    assert store.hit("b", limit=3).allowed  # keys are independent


def test_requests_age_out_of_the_window(clock: list[float]) -> None:
    store = windows()
    assert store.hit("a", limit=1).allowed
    clock[0] += 59.5
    refused = store.hit("a", limit=1)
    assert not refused.allowed
    assert refused.retry_after == 1
    clock[0] += 0.6
    assert store.hit("a", limit=1).allowed


def test_long_runs_agree_with_a_plain_log_of_admissions(clock: list[float]) -> None:
    store = windows()
    rng = random.Random(29)
    admitted: list[float] = []
    for _ in range(20_000):
        clock[0] += rng.expovariate(3.0)  # about 180 a minute against a limit of 100
        live = [at for at in admitted if at > clock[0] - 60]
        decision = store.hit("a", limit=100)
        assert decision.allowed == (len(live) < 100)
        admitted = [*live, clock[0]] if decision.allowed else live
        assert decision.remaining == max(0, 100 - len(admitted))
        assert decision.reset_seconds == pytest.approx(admitted[0] + 60 - clock[0])


def test_admissions_wait_to_be_sent_and_come_back_when_sending_failed() -> None:
    store = windows()
    for _ in range(3):
        store.hit("a", limit=10)
    store.hit("b", limit=10)
    unsent = store.take_unsent()
    assert unsent == {"a": 3, "b": 1}
    assert store.take_unsent() == {}
    store.hit("a", limit=10)
    store.restore_unsent(unsent)
    assert store.take_unsent() == {"a": 4, "b": 1}


def test_rejections_are_not_counted_or_sent() -> None:
    store = windows()
    statuses = [store.hit("a", limit=2).allowed for _ in range(5)]
    assert statuses == [True, True, False, False, False]
    assert store.take_unsent() == {"a": 2}


def shared(*counts: tuple[int, int], bucket: int, now_s: float) -> SharedWindow:
    return SharedWindow(now_us=int(now_s * 1_000_000), bucket=bucket, counts=counts)


def test_the_other_replicas_counts_are_added_but_never_this_process_own(clock: list[float]) -> None:
    store = windows()
    for _ in range(2):
        store.hit("a", limit=10)
    sent = store.take_unsent()
    # Redis' clock reads 5000.5 s; this process's 2 went into bucket 5000 beside 3 of another replica.
    store.apply(sent, {"a": shared((4999, 4), (5000, 5), bucket=5000, now_s=5000.5)})
    decision = store.hit("a", limit=10)
    # 2 own + 7 others + this one.
    assert decision.allowed
    assert decision.remaining == 0
    assert not store.hit("a", limit=10).allowed


def test_the_other_replicas_counts_leave_the_window_by_their_bucket(clock: list[float]) -> None:
    store = windows()
    store.hit("a", limit=5)
    sent = store.take_unsent()
    # Redis at 5000.25 s: 4 of others in bucket 4950 (they leave at 5011 s, in 10.75 s).
    store.apply(sent, {"a": shared((4950, 4), (5000, 1), bucket=5000, now_s=5000.25)})
    refused = store.hit("a", limit=5)
    assert not refused.allowed
    assert refused.retry_after == 11  # 10.75 s until those 4 leave
    clock[0] += 10.7
    assert not store.hit("a", limit=5).allowed
    clock[0] += 0.1
    allowed = store.hit("a", limit=5)
    assert allowed.allowed
    assert allowed.remaining == 3  # 1 earlier own + this one


def test_retry_after_over_the_limit_waits_until_enough_requests_have_left(clock: list[float]) -> None:
    store = windows()
    store.hit("a", limit=3)  # own, leaves at 1060
    sent = store.take_unsent()
    # Others: 2 leave at 1011 (bucket 4950), 3 at 1031 (bucket 4970): 6 counted against 3 allowed.
    store.apply(sent, {"a": shared((4950, 2), (4970, 3), (5000, 1), bucket=5000, now_s=5000.0)})
    refused = store.hit("a", limit=3)
    assert not refused.allowed
    # 4 of the 6 must leave before one more fits: the 2 at 1011 and the 3 at 1031.
    assert refused.retry_after == 31


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ClientWindows, "MAX_CLIENTS", 10)
    store = windows()
    for n in range(25):
        store.hit(f"client-{n}", limit=5)
    assert len(store) <= 10
    # Forgotten clients' admissions are still sent.
    assert len(store.take_unsent()) == 25


def test_retry_after_is_whole_seconds_and_never_zero() -> None:
    assert WindowDecision(allowed=False, limit=1, remaining=0, reset_seconds=0.01).retry_after == 1
    assert WindowDecision(allowed=False, limit=1, remaining=0, reset_seconds=12.2).retry_after == 13
