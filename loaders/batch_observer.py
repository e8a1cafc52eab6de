"""How loaders report their batch sizes without knowing about metrics."""

from __future__ import annotations

from collections.abc import Callable

BatchObserver = Callable[[str, int], None]


def ignore_batch(_loader: str, _size: int) -> None:
    return None
