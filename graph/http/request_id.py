"""The request id: taken from `X-Request-ID` when it is sane, generated otherwise.

It lives in a contextvar so that every log line written while a request is
handled carries it, without threading it through every call.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token

HEADER = b"x-request-id"

# A proxy's or client's id is kept only when it cannot forge log structure or
# bloat every line: printable token characters, bounded length.
_SANE = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")

_current: ContextVar[str | None] = ContextVar("autos_graph_request_id", default=None)


def accept_or_generate(raw: bytes | None) -> str:
    if raw is not None and _SANE.fullmatch(raw):
        return raw.decode("ascii")
    # 128 random bits as 32 hex digits, the shape of a uuid4's hex at a fifth of its cost.
    return os.urandom(16).hex()


def current_request_id() -> str | None:
    return _current.get()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make `request_id` current; returns the token `unbind_request_id` needs."""
    return _current.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _current.reset(token)
