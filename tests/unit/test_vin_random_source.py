from __future__ import annotations

import pytest

from datasources.vin.random_source import (
    INCREMENT,
    INSTANCE_DRAWS,
    MASK,
    MULTIPLIER,
    VEHICLE_DRAWS,
    WARM_UP,
    LcgStream,
    WeightedTable,
    djb2,
    instance_state,
    vehicle_stream,
)


def step(state: int) -> int:
    return (state * MULTIPLIER + INCREMENT) % 2**32


def test_djb2_is_the_classic_hash_over_utf8_bytes() -> None:
    assert djb2("") == 5381
    assert djb2("a") == 5381 * 33 + 97
    assert djb2("ab") == (5381 * 33 + 97) * 33 + 98
    expected = 5381
    for byte in "Citroën-2CV".encode():
        expected = (expected * 33 + byte) % 2**32
    assert djb2("Citroën-2CV") == expected


def test_the_lcg_is_exactly_the_design_recurrence() -> None:
    stream = LcgStream(0)
    assert stream.next_u32() == 1013904223
    assert stream.next_u32() == step(1013904223)
    assert LcgStream(MASK).next_u32() == step(MASK)


def test_draws_use_the_high_bits() -> None:
    stream = LcgStream(12345)
    raw = LcgStream(12345).next_u32()
    assert stream.below(10) == raw * 10 >> 32
    assert 3 <= LcgStream(1).between(3, 5) <= 5


def test_an_instance_window_is_reached_by_jumping_the_stream() -> None:
    seed = djb2("7a541ec80e6640b1")
    for index in (0, 1, 19):
        state = seed
        for _ in range(WARM_UP + VEHICLE_DRAWS + index * INSTANCE_DRAWS):
            state = step(state)
        assert instance_state(seed, index) == state


def test_the_vehicle_window_follows_the_warm_up() -> None:
    seed = djb2("any vehicle")
    state = step(step(seed))
    assert vehicle_stream(seed).next_u32() == step(state)


def test_a_weighted_table_draws_its_shares() -> None:
    table = WeightedTable([("a", 1.0), ("b", 3.0)])
    assert table.share("b") == pytest.approx(0.75)
    stream = LcgStream(99)
    draws = [stream.weighted(table) for _ in range(20_000)]
    assert draws.count("b") / len(draws) == pytest.approx(0.75, abs=0.02)


def test_a_weighted_table_refuses_non_positive_weights() -> None:
    with pytest.raises(ValueError, match="positive"):
        WeightedTable([("a", 0.0)])
