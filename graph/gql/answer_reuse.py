"""Answers to aggregation-only operations, reused while the cache entries they came from are unchanged.

The picker's `manufacturerModelCombinations` with its models is thousands of
fields: resolving them costs tens of milliseconds, against a fraction of one
for reading the cached aggregation. An operation that read nothing but fresh
aggregation cache entries (see datasources/cache/read_ledger.py) has an answer that
is a function of its document, its variables and those entries. That answer is
kept here, encoded once, with the entries it came from; the next identical
operation re-reads those entries and, finding the same bytes, is answered
without resolving a field. So a reused answer is never older than the cache
allows: expiry, deletion, a recomputation elsewhere or an alias swap send the
operation through normal execution, and every request still reads the cache
(its hits are counted as before).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from datasources.cache import read_ledger
from datasources.cache.read_ledger import EntryRead
from graph.gql.context import Context
from graph.observability.metrics import CACHE_OBSERVER

# Per process. A picker answer is about 50 KB and its aggregation entry about 45 KB,
# so this bounds the memory at a few MB whatever clients send.
MAX_ANSWERS: Final = 128
MAX_BYTES: Final = 16 * 2**20
CACHE_NAME: Final = "graphql_answers"

AnswerKey = tuple[str, str, str | None, bytes]


@dataclass(frozen=True, slots=True)
class Answer:
    data: orjson.Fragment
    reads: tuple[EntryRead, ...]
    size: int


class ReusableAnswers:
    """A bounded least-recently-used store of answers."""

    def __init__(self, *, max_answers: int = MAX_ANSWERS, max_bytes: int = MAX_BYTES) -> None:
        self._answers: OrderedDict[AnswerKey, Answer] = OrderedDict()
        self._max_answers = max_answers
        self._max_bytes = max_bytes
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: AnswerKey) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: AnswerKey, answer: Answer) -> None:
        if answer.size > self._max_bytes:
            return
        self.discard(key)
        self._answers[key] = answer
        self._bytes += answer.size
        while len(self._answers) > self._max_answers or self._bytes > self._max_bytes:
            _, evicted = self._answers.popitem(last=False)
            self._bytes -= evicted.size

    def discard(self, key: AnswerKey) -> None:
        answer = self._answers.pop(key, None)
        if answer is not None:
            self._bytes -= answer.size


class AnswerReuse(SchemaExtension):
    def __init__(self, *, answers: ReusableAnswers) -> None:
        self._answers = answers

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            not isinstance(context, Context)
            or execution.query is None
            or execution.operation_type is not OperationType.QUERY
        ):
            yield
            return
        key: AnswerKey = (
            context.services.index_version.current(),
            execution.query,
            execution.operation_name,
            orjson.dumps(execution.variables or {}, option=orjson.OPT_SORT_KEYS),
        )
        answer = self._answers.get(key)
        if answer is not None:
            if await context.services.aggregations.unchanged(answer.reads):
                # Strawberry skips execution when an extension has set the result.
                execution.result = GraphQLExecutionResult(data=answer.data)  # type: ignore[arg-type]
                CACHE_OBSERVER.on_hit(CACHE_NAME)
                yield
                return
            self._answers.discard(key)
        with read_ledger.recording() as ledger:
            yield
        result = execution.result
        reads = _distinct(ledger.entries) if ledger.reusable else None
        if (
            reads
            and isinstance(result, GraphQLExecutionResult)
            and not result.errors
            and result.data is not None
            and not context.data.stale
        ):
            encoded = orjson.dumps(result.data)
            size = len(encoded) + len(key[1]) + len(key[3]) + sum(len(read.raw) for read in reads)
            self._answers.put(key, Answer(data=orjson.Fragment(encoded), reads=reads, size=size))
            CACHE_OBSERVER.on_miss(CACHE_NAME)


def _distinct(entries: list[EntryRead]) -> tuple[EntryRead, ...] | None:
    """Each entry once; None when one key was read with two values (it changed mid-operation)."""
    by_key: dict[str, EntryRead] = {}
    for read in entries:
        seen = by_key.setdefault(read.key, read)
        if seen.raw != read.raw:
            return None
    return tuple(by_key.values())
