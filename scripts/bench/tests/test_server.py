"""The drain that reads a server's output as a container runtime would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.bench import server
from scripts.bench.server import OutputDrain


def _drained(data: bytes, log_path: Path) -> OutputDrain:
    read_end, write_end = os.pipe()
    drain = OutputDrain(os.fdopen(read_end, "rb"), log_path)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(data)
    drain.join()
    return drain


def test_every_line_is_counted_and_a_short_output_kept_whole(tmp_path: Path) -> None:
    data = b"".join(b'{"message":"request %d"}\n' % n for n in range(100))
    drain = _drained(data, tmp_path / "server.log")
    assert (drain.lines, drain.bytes) == (100, len(data))
    assert (tmp_path / "server.log").read_bytes() == data


def test_a_long_output_keeps_its_head_and_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = 1000
    monkeypatch.setattr(server, "KEPT_OUTPUT_BYTES", kept)
    data = b"".join(b"line %06d\n" % n for n in range(10_000))
    drain = _drained(data, tmp_path / "server.log")
    text = (tmp_path / "server.log").read_bytes()
    assert drain.lines == 10_000
    assert text.startswith(data[:kept])
    assert text.endswith(data[-kept:])
    assert f"[... {len(data) - 2 * kept:,} bytes read and not kept ...]".encode() in text
