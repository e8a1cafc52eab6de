from __future__ import annotations

import multiprocessing
import re

import pytest

from graph.http.request_id import accept_or_generate


@pytest.mark.parametrize("value", [b"abc-123", b"5f0c6b1e-8b7e-4f1e-9a53-0c6b1e8b7e4f", b"trace:1/span=2"])
def test_sane_ids_are_kept(value: bytes) -> None:
    assert accept_or_generate(value) == value.decode()


@pytest.mark.parametrize(
    "value", [None, b"", b"a b", b'x"}', b"\xff", b"a" * 129, b"line\nbreak", b"trailing\n"]
)
def test_anything_else_is_replaced(value: bytes | None) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", accept_or_generate(value))


def test_generated_ids_differ() -> None:
    assert len({accept_or_generate(None) for _ in range(1000)}) == 1000


def _child_id(queue: multiprocessing.Queue[str]) -> None:
    queue.put(accept_or_generate(None))


def test_forked_workers_do_not_repeat_each_other() -> None:
    # uvicorn's workers are forked from one parent: each must draw its own ids.
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    children = [context.Process(target=_child_id, args=(queue,)) for _ in range(2)]
    for child in children:
        child.start()
    ids = {queue.get(timeout=10) for _ in children}
    for child in children:
        child.join(timeout=10)
    ids.add(accept_or_generate(None))
    assert len(ids) == 3
