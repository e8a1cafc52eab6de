"""What names a GraphQL answer in the answer cache, and which answers may be kept.

An answer is named by everything that can change it: the schema's SDL and every
validation setting (rules, limits, trusted-only mode, exposed internals), the
document's sha256, the operation name as sent (absent and `""` differ), the
variables and the data generation. Replicas configured differently never share
one, even through one Redis. The media type shapes only error answers, never
kept, so it names the flight, not the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
from graphql import ExecutionResult

from graph.gql.graphql_http import GraphQLRequest
from graph.gql.persisted import Document
from graph.gql.query_limits import QueryLimits


def pipeline_fingerprint(
    *, sdl: str, rules: Sequence[type], limits: QueryLimits, trusted_only: bool, expose_internals: bool
) -> str:
    names = ",".join(f"{rule.__module__}.{rule.__qualname__}" for rule in rules)
    settings = f"{sdl}\x00{names}\x00{limits!r}\x00{trusted_only=}\x00{expose_internals=}"
    return hashlib.sha256(settings.encode()).hexdigest()[:16]


def key_parts(fingerprint: str, document: Document, asked: GraphQLRequest) -> tuple[str, ...]:
    return (
        "graphql",
        fingerprint,
        document.sha256,
        orjson.dumps(asked.operation_name).decode(),
        orjson.dumps(asked.variables or {}, option=orjson.OPT_SORT_KEYS).decode(),
    )


def may_keep(result: ExecutionResult) -> bool:
    """Only a complete answer is kept: data, no error, nothing answered from stale data."""
    return result.data is not None and not result.errors and not (result.extensions or {}).get("stale")
