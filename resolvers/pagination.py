"""Page-size rules shared by every connection."""

from __future__ import annotations

from resolvers.errors import InvalidArgument

MAX_PAGE_SIZE = 100


def check_first(first: int | None, *, default: int, name: str = "first", maximum: int = MAX_PAGE_SIZE) -> int:
    """The page size asked for; null means the argument's default."""
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise InvalidArgument(f"{name} must be between 0 and {maximum}, got {first}")
    return first
