"""Page-size rules shared by every connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from resolvers.errors import InvalidArgument

T = TypeVar("T")

MAX_PAGE_SIZE = 100


def check_first(first: int | None, *, default: int, name: str = "first", maximum: int = MAX_PAGE_SIZE) -> int:
    """The page size asked for; null means the argument's default."""
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise InvalidArgument(f"{name} must be between 0 and {maximum}, got {first}")
    return first


# No slots: a slotted generic dataclass breaks when instantiated through Page[X](...).
@dataclass(frozen=True)
class Edge(Generic[T]):
    node: T
    cursor: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection, whatever its nodes are."""

    edges: list[Edge[T]]
    total: int
    has_next_page: bool
    # Relay's rule for forward pagination: true when the page starts after a cursor, since
    # a cursor is an edge that came before (answered without asking Elasticsearch).
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0].cursor if self.edges else None

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None

    @property
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
