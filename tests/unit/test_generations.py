from __future__ import annotations

from datetime import UTC, datetime

import pytest

from datasources.releases.generations import Generation, ReleaseRefused, kept_generations, rollback_target

CREATED = datetime(2026, 11, 30, tzinfo=UTC)


def generation(
    number: int, *, live: bool = False, replaced: int | None = None, state: str = "ready"
) -> Generation:
    return Generation(
        name=f"autos-unified-v{number}",
        number=number,
        documents=1000,
        created=CREATED,
        source="sample",
        state=state,
        live=live,
        replaced=None if replaced is None else f"autos-unified-v{replaced}",
    )


def test_kept_follows_what_the_live_generation_replaced() -> None:
    # v3 was rolled back from, then v4 released over v2: v2 is the rollback target, v3 goes.
    generations = [generation(2), generation(3, replaced=2), generation(4, live=True, replaced=2)]
    assert kept_generations(generations, keep=2) == {"autos-unified-v4", "autos-unified-v2"}


def test_kept_fills_with_the_newest_when_the_history_is_short() -> None:
    generations = [generation(1), generation(2), generation(3, live=True)]
    assert kept_generations(generations, keep=2) == {"autos-unified-v3", "autos-unified-v2"}
    assert kept_generations(generations, keep=1) == {"autos-unified-v3"}


def test_rollback_goes_to_the_replaced_generation() -> None:
    generations = [generation(2), generation(3, replaced=2), generation(4, live=True, replaced=2)]
    assert rollback_target(generations).name == "autos-unified-v2"
    assert rollback_target(generations, to="autos-unified-v3").name == "autos-unified-v3"


def test_rollback_refuses_without_a_ready_earlier_generation() -> None:
    with pytest.raises(ReleaseRefused, match="no earlier generation is kept"):
        rollback_target([generation(1, state="failed"), generation(2, live=True)])
    with pytest.raises(ReleaseRefused, match="not a ready generation"):
        rollback_target([generation(1), generation(2, live=True)], to="autos-unified-v2")
