"""A generation's record of going live, and how a swap is named from it."""

from __future__ import annotations

from datetime import UTC, datetime

from datasources.releases.going_live import SwapKind, going_live, kind_of, live_since

NOW = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)


def test_each_time_live_is_counted_and_dated() -> None:
    first = going_live({"release_source": "sample"}, now=NOW)
    assert first == {"release_source": "sample", "live_since": NOW.isoformat(), "live_count": 1}
    assert live_since(first) == NOW
    assert going_live(first, now=NOW)["live_count"] == 2


def test_the_first_time_live_is_a_release_or_a_restore_and_later_ones_are_rollbacks() -> None:
    released = going_live({"release_source": "full"}, now=NOW)
    restored = going_live({"release_source": "snapshot nightly-1"}, now=NOW)
    assert kind_of(released, newest=True) is SwapKind.RELEASE
    # Going live again is a rollback, also to the newest generation (rollback --to, forwards).
    assert kind_of(going_live(released, now=NOW), newest=True) is SwapKind.ROLLBACK
    assert kind_of(restored, newest=True) is SwapKind.RESTORE
    assert kind_of(going_live(restored, now=NOW), newest=False) is SwapKind.ROLLBACK


def test_a_generation_live_before_the_record_existed_is_named_by_its_place() -> None:
    assert kind_of({"release_source": "sample"}, newest=True) is SwapKind.RELEASE
    assert kind_of({"release_source": "sample"}, newest=False) is SwapKind.ROLLBACK
    assert live_since({}) is None
