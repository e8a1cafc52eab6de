"""The fence a destructive step passes just before it acts: an index delete, a bulk write, an alias swap.

Whoever may change an alias's data holds its release lock (datasources/releases/lock.py).
A lock alone does not stop a holder that was paused (a stopped process, a
frozen VM, a long GC) past its lease: it wakes up still believing it holds the
lock. So every step that deletes, writes or moves the alias first awaits the
fence it was given, which raises `Fenced` when the right to act is gone, and
the step is not taken. The functions here know nothing of locks: they take a
`Fence` and call it; `unfenced` is for callers that hold no lock (tests and
single-user scripts against an index of their own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# Called with a short name of the step about to be taken ("delete autos-unified-v3").
Fence = Callable[[str], Awaitable[None]]


class Fenced(Exception):
    """The caller lost the right to change the alias's data; the step was not taken."""


async def unfenced(step: str) -> None:
    return None


__all__ = ["Fence", "Fenced", "unfenced"]
