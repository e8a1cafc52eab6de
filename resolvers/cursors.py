"""Opaque cursors: the Elasticsearch sort values of a hit, or an offset into a list."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from resolvers.errors import InvalidArgument

MAX_CURSOR_LENGTH = 1024


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str, *, expected_length: int) -> list[Any]:
    """The sort values in a cursor we issued; anything else is the caller's mistake."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidArgument("after is not a cursor this API issued")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidArgument("after is not a cursor this API issued") from None
    if (
        not isinstance(values, list)
        or len(values) != expected_length
        or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)
    ):
        raise InvalidArgument("after is not a cursor for this query (was the sort changed?)")
    return values


def encode_offset(offset: int) -> str:
    return encode_cursor(["o", offset])


def decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    values = decode_cursor(cursor, expected_length=2)
    if values[0] != "o" or not isinstance(values[1], int) or values[1] < 0:
        raise InvalidArgument("after is not a cursor for this query")
    return values[1] + 1
