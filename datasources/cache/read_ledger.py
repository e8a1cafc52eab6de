"""What one operation read from the data layer: enough to tell whether its answer can be reused.

An answer built only from fresh aggregation cache entries is a function of
those entries (and of the operation): while the same entries are in the cache,
the same answer is correct. Anything read from Elasticsearch directly, a cache
miss or a stale last-known value makes the answer one to compute every time.

The ledger is reached through a context variable, so the tasks the operation
spawns (DataLoader batches, concurrent resolvers) write to the same ledger,
and nothing outside an operation that asked for one records anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EntryRead:
    cache: str
    key: str
    # The stored entry as read; an answer built from it stays right while the store holds these bytes.
    raw: str | bytes


@dataclass(slots=True)
class ReadLedger:
    entries: list[EntryRead] = field(default_factory=list)
    reusable: bool = True


_current: ContextVar[ReadLedger | None] = ContextVar("read_ledger", default=None)


@contextmanager
def recording() -> Iterator[ReadLedger]:
    ledger = ReadLedger()
    token = _current.set(ledger)
    try:
        yield ledger
    finally:
        _current.reset(token)


def note_entry(*, cache: str, key: str, raw: str | bytes) -> None:
    ledger = _current.get()
    if ledger is not None:
        ledger.entries.append(EntryRead(cache=cache, key=key, raw=raw))


def note_not_reusable() -> None:
    ledger = _current.get()
    if ledger is not None:
        ledger.reusable = False
