from __future__ import annotations

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
