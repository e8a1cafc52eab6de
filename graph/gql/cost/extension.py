"""`extensions.cost` of an answer, in two parts: the answer's own, kept with it, and the client's budget.

`requestedQueryCost` and `actualQueryCost` belong to the answer: the same for
every client, so they are encoded into the body the answer cache keeps (and
the ETag covers them). `throttleStatus` belongs to the client and the moment:
it is spliced into the encoded body as it is sent, without decoding it. For
that, `cost` is always the last member of `extensions`, and `extensions` the
last member of the body (graph/gql/execution/operation.py orders them so).
"""

from __future__ import annotations

from typing import Any

import orjson

from graph.http.cost_budget import ThrottleStatus

_MARK = b'"cost":{"requestedQueryCost":'
_TAIL = b"}}}"


def cost_extension(*, requested: int, actual: int) -> dict[str, Any]:
    return {"requestedQueryCost": requested, "actualQueryCost": actual}


def costs_of(body: bytes) -> tuple[int, int]:
    """(requested, actual) of an encoded answer; (0, 0) for one without them."""
    start = body.rfind(_MARK)
    if start < 0 or not body.endswith(_TAIL):
        return 0, 0
    cost = orjson.loads(body[start + len(b'"cost":') : -2])
    return int(cost["requestedQueryCost"]), int(cost["actualQueryCost"])


def with_throttle_status(body: bytes, status: ThrottleStatus) -> bytes:
    """The encoded answer with the client's budget as `extensions.cost.throttleStatus`."""
    if body.rfind(_MARK) < 0 or not body.endswith(_TAIL):
        return body
    return b"".join((body[:-3], b',"throttleStatus":', orjson.dumps(status.as_dict()), _TAIL))
