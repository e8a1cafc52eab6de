"""Model-year codes of position 10 and the position-7 rule that places them in a cycle.

The 30 codes (A-Y without I, O, Q, U, Z, then 1-9; never 0) repeat every 30
years from 1980. 49 CFR 565.15 resolves the repeat for passenger cars, MPVs
and light trucks: a numeric position 7 means 1980-2009, an alphabetic one
2010-2039. Vehicles built for other markets need not follow the rule, so a
decoder reports every candidate as well as the resolved year.
"""

from __future__ import annotations

from typing import Final

YEAR_CODES: Final = "ABCDEFGHJKLMNPRSTVWXY123456789"
FIRST_CODED_YEAR: Final = 1980
CYCLE_YEARS: Final = len(YEAR_CODES)
ALPHA_POSITION_7_FROM: Final = FIRST_CODED_YEAR + CYCLE_YEARS  # 2010
LAST_RESOLVABLE_YEAR: Final = ALPHA_POSITION_7_FROM + CYCLE_YEARS - 1  # 2039

_INDEX: Final[dict[str, int]] = {code: index for index, code in enumerate(YEAR_CODES)}


def year_code(year: int) -> str:
    if year < FIRST_CODED_YEAR:
        raise ValueError(f"model year {year} predates the position-10 codes (1980)")
    return YEAR_CODES[(year - FIRST_CODED_YEAR) % CYCLE_YEARS]


def position_7_is_alphabetic(year: int) -> bool:
    """What position 7 must be for `year` under the 30-year-cycle rule."""
    return ALPHA_POSITION_7_FROM <= year <= LAST_RESOLVABLE_YEAR


def candidate_years(code: str) -> tuple[int, ...]:
    """Every year 1980-2039 that `code` stands for (two, or none for a non-code)."""
    index = _INDEX.get(code)
    if index is None:
        return ()
    return (FIRST_CODED_YEAR + index, ALPHA_POSITION_7_FROM + index)


def resolve_year(code: str, position_7: str) -> int | None:
    """The year the position-7 rule picks, or None when position 10 is no year code."""
    candidates = candidate_years(code)
    if not candidates:
        return None
    return candidates[1] if position_7.isalpha() else candidates[0]
