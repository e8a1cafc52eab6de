"""The null Redis: RESP parsing and answers that remember nothing."""

from __future__ import annotations

from scripts.bench.null_redis import parse_commands, reply


def test_null_redis_parses_pipelined_commands_and_waits_for_incomplete_ones() -> None:
    get = b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
    set_ = b"*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n$2\r\nEX\r\n$2\r\n30\r\n"
    commands, rest = parse_commands(get + set_ + get[:9])
    assert commands == [[b"GET", b"key"], [b"SET", b"key", b"value", b"EX", b"30"]]
    assert rest == get[:9]
    assert parse_commands(b"PING\r\n") == ([[b"PING"]], b"")


def test_null_redis_remembers_nothing() -> None:
    assert reply([b"GET", b"key"]) == b"$-1\r\n"
    assert reply([b"get", b"key"]) == b"$-1\r\n"
    assert reply([b"SET", b"key", b"value"]) == b"+OK\r\n"
    assert reply([b"MGET", b"a", b"b"]) == b"*2\r\n$-1\r\n$-1\r\n"
    assert reply([b"PING"]) == b"+PONG\r\n"
    assert reply([b"EXISTS", b"key"]) == b":0\r\n"
