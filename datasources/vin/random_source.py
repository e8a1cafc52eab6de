"""The deterministic random source behind every generated instance.

docs/vin.md fixes the algorithm so that any implementation (the old Node backend,
this one, a future one) derives the same stream from a vehicle: the djb2 hash
of `vehicle_id` seeds the linear congruential generator
`state = (state * 1664525 + 1013904223) mod 2**32`.

Each vehicle owns one stream. The first WARM_UP outputs are skipped: for two
ids whose hashes differ by 1 they differ by only 0.04 % and 9 % of the range
(1664525 and 1664525**2 mod 2**32), so neighbouring vehicles would look alike.
The next VEHICLE_DRAWS outputs hold the vehicle's own choices (its WMI,
plants, serial block); instance i reads the window of INSTANCE_DRAWS outputs
that follows, starting at WARM_UP + VEHICLE_DRAWS + i * INSTANCE_DRAWS. Jumping straight to a window is
O(1) (the LCG's affine maps compose), so instance i never depends on how many
instances were asked for - which is what makes `count=n` a prefix of `count=n+1`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Final, Generic, TypeVar

MULTIPLIER: Final = 1664525
INCREMENT: Final = 1013904223
MASK: Final = 0xFFFFFFFF
_TWO_TO_MINUS_32: Final = 2.0**-32

DJB2_START: Final = 5381

WARM_UP: Final = 2
VEHICLE_DRAWS: Final = 14
INSTANCE_DRAWS: Final = 64
MAX_STREAM_INSTANCES: Final = 20

T = TypeVar("T")


def djb2(text: str, *, start: int = DJB2_START) -> int:
    """Dan Bernstein's hash (h = h * 33 + byte) over the UTF-8 bytes, kept to 32 bits."""
    value = start
    for byte in text.encode("utf-8"):
        value = (value * 33 + byte) & MASK
    return value


def _jump(steps: int) -> tuple[int, int]:
    """The affine map (a, c) with state_{n+steps} = a * state_n + c (mod 2**32)."""
    a, c = 1, 0
    for _ in range(steps):
        a, c = (a * MULTIPLIER) & MASK, (c * MULTIPLIER + INCREMENT) & MASK
    return a, c


# Precomputed once: where each instance's window starts, relative to the seed.
_INSTANCE_JUMPS: Final[tuple[tuple[int, int], ...]] = tuple(
    _jump(WARM_UP + VEHICLE_DRAWS + index * INSTANCE_DRAWS) for index in range(MAX_STREAM_INSTANCES)
)
_VEHICLE_JUMP: Final = _jump(WARM_UP)


class LcgStream:
    """Draws from the LCG. Every draw uses the high bits: the low bits of a
    power-of-two LCG have short periods (bit 0 simply alternates)."""

    __slots__ = ("state",)

    def __init__(self, state: int) -> None:
        self.state = state & MASK

    def next_u32(self) -> int:
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return self.state

    def below(self, bound: int) -> int:
        """An integer in [0, bound)."""
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return (self.state * bound) >> 32

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return low + ((self.state * (high - low + 1)) >> 32)

    def unit(self) -> float:
        """A float in [0, 1), like the old backend's `state / 2**32`."""
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return self.state * _TWO_TO_MINUS_32

    def pick(self, items: Sequence[T]) -> T:
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return items[(self.state * len(items)) >> 32]

    def weighted(self, table: WeightedTable[T]) -> T:
        self.state = (self.state * MULTIPLIER + INCREMENT) & MASK
        return table.values[bisect_right(table.thresholds, self.state)]


class WeightedTable(Generic[T]):
    """Values with weights, turned once into 32-bit thresholds so a weighted
    draw is one LCG step and one bisect - no floats, no per-call allocation."""

    __slots__ = ("thresholds", "values", "weights")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        if not pairs or any(weight <= 0 for _, weight in pairs):
            raise ValueError("a weighted table needs values with positive weights")
        total = sum(weight for _, weight in pairs)
        running = 0.0
        thresholds: list[int] = []
        for _, weight in pairs[:-1]:
            running += weight
            thresholds.append(round(running / total * (MASK + 1)))
        self.thresholds: tuple[int, ...] = tuple(thresholds)
        self.values: tuple[T, ...] = tuple(value for value, _ in pairs)
        self.weights: tuple[float, ...] = tuple(weight / total for _, weight in pairs)

    def share(self, value: T) -> float:
        """The probability of `value` (for tests and docs)."""
        return sum(weight for each, weight in zip(self.values, self.weights, strict=True) if each == value)


def vehicle_seed(vehicle_id: str) -> int:
    return djb2(vehicle_id)


def vehicle_stream(seed: int) -> LcgStream:
    """The vehicle-level window, just after the warm-up."""
    a, c = _VEHICLE_JUMP
    return LcgStream(a * seed + c)


def instance_state(seed: int, index: int) -> int:
    """The LCG state just before the window of instance `index`, reached by one precomputed jump."""
    a, c = _INSTANCE_JUMPS[index]
    return (a * seed + c) & MASK


def instance_stream(seed: int, index: int) -> LcgStream:
    return LcgStream(instance_state(seed, index))
