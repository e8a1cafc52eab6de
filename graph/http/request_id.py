"""The request id: taken from `X-Request-ID` when it is sane, generated otherwise.

It lives in a contextvar so that every log line written while a request is
handled carries it, without threading it through every call.
"""

from __future__ import annotations

import re
from contextvars import ContextVar, Token
from random import getrandbits

HEADER = b"x-request-id"

# A proxy's or client's id is kept only when it cannot forge log structure or
# bloat every line: printable token characters, bounded length.
_SANE = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")

_current: ContextVar[str | None] = ContextVar("autos_graph_request_id", default=None)


def accept_or_generate(raw: bytes | None) -> str:
    if raw is not None and _SANE.fullmatch(raw):
        return raw.decode("ascii")
    # 128 random bits as 32 hex digits, the shape of a uuid4's hex. An id names a request, it
    # guards nothing, so the in-process generator does (no system call per request);
    # Python reseeds it in every forked worker, so workers never repeat each other.
    return f"{getrandbits(128):032x}"


def current_request_id() -> str | None:
    return _current.get()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make `request_id` current; returns the token `unbind_request_id` needs."""
    return _current.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _current.reset(token)
