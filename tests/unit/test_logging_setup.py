"""The JSON lines: their timestamp, their extra fields, and when the handler flushes them."""

from __future__ import annotations

import asyncio
import io
import logging
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from graph.observability.access_log import AccessRecord, write_access_log
from graph.observability.logging_setup import JsonFormatter, JsonLinesHandler, buffered_stdout


def reference_timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat().replace("+00:00", "Z")


def test_the_timestamp_is_the_isoformat_of_the_record_time() -> None:
    formatter = JsonFormatter()
    rng = random.Random(29)
    edges = [1733471234.0, 1733471234.9999996, 1733471234.0000004, 1733471234.0000005, 1733471299.5]
    samples = edges + [rng.uniform(1.5e9, 2.1e9) for _ in range(20_000)]
    # In order too, so that the second cached from one line serves the next.
    samples += [1733471234 + n / 7 for n in range(2_000)]
    assert [formatter.timestamp(created) for created in samples] == [
        reference_timestamp(created) for created in samples
    ]


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, CountingStream]]:
    stream = CountingStream()
    handler = JsonLinesHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("autos_graph.test_logging_setup")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_outside_an_event_loop_every_line_is_flushed_at_once(
    captured: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = captured
    logger.info("one")
    logger.info("two")
    assert stream.flushes == 2
    assert [orjson.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["one", "two"]


async def test_in_an_event_loop_the_lines_of_a_turn_share_one_flush(
    captured: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = captured
    for n in range(5):
        logger.info("line %d", n)
    assert len(stream.getvalue().splitlines()) == 5  # written at once, flushed when the turn ends
    assert stream.flushes == 0
    await asyncio.sleep(0)  # the end of this turn
    assert stream.flushes == 1
    logger.info("next turn")
    await asyncio.sleep(0)
    assert stream.flushes == 2


async def test_a_flush_that_fails_at_the_end_of_a_turn_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError("stdout closed")

    handler = JsonLinesHandler(Broken())
    handler.setFormatter(JsonFormatter())
    reported: list[str] = []
    monkeypatch.setattr(handler, "handleError", lambda record: reported.append(record.getMessage()))
    failures: list[dict[str, object]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: failures.append(context))
    try:
        handler.handle(logging.makeLogRecord({"msg": "first", "levelno": logging.INFO}))
        handler.handle(logging.makeLogRecord({"msg": "second", "levelno": logging.INFO}))
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reported == ["first"]
    assert failures == []


def test_extra_fields_join_the_context_in_the_order_given(
    captured: tuple[logging.Logger, CountingStream],
) -> None:
    logger, stream = captured
    logger.warning("odd", extra={"zeta": 1, "alpha": [2], "context": {"first": True}})
    [line] = [orjson.loads(text) for text in stream.getvalue().splitlines()]
    assert list(line) == ["timestamp", "level", "message", "context"]
    assert list(line["context"].items()) == [
        ("logger", "autos_graph.test_logging_setup"),
        ("first", True),
        ("zeta", 1),
        ("alpha", [2]),
    ]


def test_an_access_line_is_the_line_logging_would_write_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    access = logging.getLogger("autos_graph.access")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    access.addHandler(keep)
    monkeypatch.setattr(access, "level", logging.INFO)
    try:
        write_access_log(
            AccessRecord(
                request_id="r-1",
                method="POST",
                path="/graphql",
                route="/graphql",
                status=200,
                latency_ms=1.23456,
                client="192.0.2.1",
                operation_name="Q",
            )
        )
        context = {
            "request_id": "r-1",
            "method": "POST",
            "path": "/graphql",
            "route": "/graphql",
            "status": 200,
            "latency_ms": 1.235,
            "client": "192.0.2.1",
            "operation_name": "Q",
        }
        access.info("request", extra={"context": context})
    finally:
        access.removeHandler(keep)
    fast, plain = records
    formatter = JsonFormatter()
    fast_line, plain_line = (orjson.loads(formatter.format(record)) for record in (fast, plain))
    del fast_line["timestamp"], plain_line["timestamp"]
    assert fast_line == plain_line
    # A text formatter finds every documented attribute, and where the line comes from.
    everything = " ".join(f"%({name})s" for name in DOCUMENTED_ATTRIBUTES)
    assert logging.Formatter(everything).format(fast)
    assert logging.Formatter("%(filename)s %(funcName)s %(levelname)s %(message)s").format(fast) == (
        "access_log.py write_access_log INFO request"
    )
    assert abs(fast.relativeCreated - plain.relativeCreated) < 60_000


# https://docs.python.org/3/library/logging.html#logrecord-attributes (taskName is 3.12's).
DOCUMENTED_ATTRIBUTES = [
    "args",
    "asctime",
    "created",
    "exc_info",
    "filename",
    "funcName",
    "levelname",
    "levelno",
    "lineno",
    "message",
    "module",
    "msecs",
    "msg",
    "name",
    "pathname",
    "process",
    "processName",
    "relativeCreated",
    "stack_info",
    "thread",
    "threadName",
]


def test_stdout_lines_wait_in_a_buffer_of_their_own_until_the_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As with PYTHONUNBUFFERED: sys.stdout itself would hand every line to the file at once.
    path = tmp_path / "stdout"
    with path.open("w", buffering=1) as unbuffered:
        monkeypatch.setattr(sys, "stdout", unbuffered)
        stream = buffered_stdout()
        stream.write('{"message": "request"}\n')
        assert path.read_text() == ""
        stream.flush()
        assert path.read_text() == '{"message": "request"}\n'


def test_unicode_line_breaks_are_escaped_so_a_line_stays_one_line() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 0, "a\u2028b\u2029c\x85d\ne\x1bf", None, None)
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert orjson.loads(line)["message"] == "a\u2028b\u2029c\x85d\ne\x1bf"
