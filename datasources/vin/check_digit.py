"""The ISO 3779 alphabet and the position-9 check digit of 49 CFR 565.15.

Letters are transliterated to the values of the old punched-card zones (A-H
1-8, J-R 1-9 without O and Q, S-Z 2-9), weighted by position and summed
modulo 11; a remainder of 10 is written 'X'. I, O and Q never appear in a VIN
because they read as 1 and 0.
"""

from __future__ import annotations

from typing import Final

VIN_LENGTH: Final = 17
CHECK_DIGIT_POSITION: Final = 9  # 1-based, as every standard counts
VIN_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
FORBIDDEN_LETTERS: Final = frozenset("IOQ")
LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS: Final = "0123456789"

TRANSLITERATION: Final[dict[str, int]] = {
    **{digit: int(digit) for digit in DIGITS},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
WEIGHTS: Final = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
CHECK_CHARACTERS: Final = "0123456789X"  # indexed by the remainder modulo 11


def weighted_sum(chars: str, *, first_position: int) -> int:
    """The check-digit sum of `chars` placed from 1-based `first_position` on, so a
    generator can add up the fixed parts of a VIN once and only the rest per VIN."""
    weights = WEIGHTS[first_position - 1 : first_position - 1 + len(chars)]
    return sum(TRANSLITERATION[char] * weight for char, weight in zip(chars, weights, strict=True))


def check_digit(vin: str) -> str:
    """The check digit for a 17-character VIN in the alphabet; position 9 itself
    is ignored (its weight is 0), so a placeholder may stand there."""
    return CHECK_CHARACTERS[weighted_sum(vin, first_position=1) % 11]


def with_check_digit(vin: str) -> str:
    """`vin` with position 9 replaced by its check digit."""
    return f"{vin[:8]}{check_digit(vin)}{vin[9:]}"
