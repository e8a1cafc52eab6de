"""Parsed documents, their validation and their completion plans, kept together and bounded in bytes.

A document a worker has seen before skips the parser and the validator; the
completion plans of graph/gql/execution are compiled for it and die with it.
One least-recently-used store holds, per query text, the document, its
validation errors and its plans, bounded by an estimate of their bytes rather
than by a count of entries: a client inlining its values sends a new document
every time, and what a document costs grows with the length of its text (the
AST, the token chain, the plans' closures per selected field). An entry is
charged `BYTES_PER_CHARACTER` times the length of its query plus a fixed
overhead; tests/unit/test_document_cache.py measures real retained sizes
against that estimate.

The schema and the validation rules are fixed when the cache is made (they
follow from the settings), so a validation computed once holds for the life of
the entry. Documents given as `pinned` (the trusted documents manifest) are
never evicted.

A document longer than `max_characters` is refused before it is parsed, with
`QUERY_TOO_COMPLEX` (a pinned one is served as it was given): its comments and
whitespace cost the parser, the hash, the answer key and the persisted
documents' room although no token counts them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    specified_rules,
    validate,
)

from graph.compat.strawberry import VALIDATION_RULES
from graph.gql.combined_rules import rules_for
from graph.gql.errors import QUERY_TOO_COMPLEX
from graph.gql.execution.planned_execution import DocumentPlans
from graph.gql.introspection import IntrospectionDisabledRule
from graph.gql.parsing import parse_document
from graph.gql.query_limits import QueryLimitsRule

# Measured (tests/unit/test_document_cache.py) with a margin, so the budget bounds them.
BYTES_PER_CHARACTER: Final = 200
ENTRY_OVERHEAD_BYTES: Final = 6144
DEFAULT_MAX_BYTES: Final = 8 * 2**20


@dataclass(slots=True)
class CachedDocument:
    document: DocumentNode
    size: int
    # Validation errors under the cache's rules, once computed.
    errors: list[GraphQLError] | None = None
    plans: DocumentPlans = field(default_factory=DocumentPlans)
    # Whether it carries @defer or @stream (graph/gql/incremental.py), once looked for.
    asks_for_parts: bool | None = None


def validation_rules(*, introspection: bool) -> tuple[type, ...]:
    """graphql-core's rules, the query limits, introspection's refusal where it is off, Strawberry's."""
    refuse_introspection = () if introspection else (IntrospectionDisabledRule,)
    return (*specified_rules, QueryLimitsRule, *refuse_introspection, *VALIDATION_RULES)


def estimated_size(query: str) -> int:
    return ENTRY_OVERHEAD_BYTES + BYTES_PER_CHARACTER * len(query)


class DocumentCache:
    """A least-recently-used store of documents by query text, bounded by estimated bytes."""

    def __init__(
        self,
        *,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int,
        max_characters: int,
        max_bytes: int = DEFAULT_MAX_BYTES,
        pinned: Iterable[tuple[str, DocumentNode]] = (),
    ) -> None:
        self.schema = schema
        self.rules = rules
        self._max_tokens = max_tokens
        self._max_characters = max_characters
        self._entries: OrderedDict[str, CachedDocument] = OrderedDict()
        self._pinned = {text: CachedDocument(document, estimated_size(text)) for text, document in pinned}
        self._max_bytes = max_bytes
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The estimated bytes held (pinned documents aside)."""
        return self._bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def parsed(self, query: str) -> CachedDocument:
        """The entry for the query text, parsing it on a miss (raises on syntax and on length)."""
        pinned = self._pinned.get(query)
        if pinned is not None:  # the trusted documents' manifest was checked when it was read
            return pinned
        if len(query) > self._max_characters:
            raise GraphQLError(
                f"The document has {len(query)} characters; at most {self._max_characters} are accepted, "
                "comments and whitespace included.",
                extensions={"code": QUERY_TOO_COMPLEX},
            )
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry
        entry = CachedDocument(
            document=parse_document(query, max_tokens=self._max_tokens), size=estimated_size(query)
        )
        if entry.size <= self._max_bytes:
            self._add(query, entry)
        return entry

    def validation(self, entry: CachedDocument) -> list[GraphQLError]:
        """The document's validation errors under the cache's rules, computed once."""
        if entry.errors is None:
            entry.errors = validate(self.schema, entry.document, rules_for(self.rules, entry.document))
        return entry.errors

    def _add(self, query: str, entry: CachedDocument) -> None:
        self._entries[query] = entry
        self._bytes += entry.size
        while self._bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size
