"""Parsed documents, their validation and their completion plans, kept together and bounded in bytes.

A document a worker has seen before skips the parser and the validator; the
completion plans of graph/gql/execution are compiled for it and die with it.
The three used to be separate caches bounded by entry counts (512 documents,
512 validations, 4,096 plans), and the plans kept their documents alive after
the parser cache had let them go: a client inlining its values in every
document grew a worker by about 190 KB a document, past 200 MB.

Here one least-recently-used store holds, per query text, the document, its
validation errors per rule set and its plans, and is bounded by an estimate of
their bytes: the retained size of a document, its validation and its plans
grows with the length of its text (the AST, the token chain, the plans' closures
per selected field), so an entry is charged `BYTES_PER_CHARACTER` times the
length of its query plus a fixed overhead. tests/unit/test_document_cache.py
measures the real retained size of representative documents against that
estimate.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.base import BaseSchema
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graph.gql import operation_name
from graph.gql.combined_rules import rules_for
from graph.gql.context import Context
from graph.gql.execution.planned_execution import DocumentPlans, register_plans, unregister_plans
from graph.gql.parsing import parse_document

# Measured (tests/unit/test_document_cache.py): 75-160 bytes per character of
# query, plus a few KB, for the AST with its locations and tokens, its
# validation and its plans; charged with a margin so the budget bounds them.
BYTES_PER_CHARACTER: Final = 200
ENTRY_OVERHEAD_BYTES: Final = 6144
DEFAULT_MAX_BYTES: Final = 8 * 2**20

ParseKey = tuple[str, tuple[tuple[str, Any], ...]]

# What Strawberry's own validation (`strawberry.schema.schema.validate_document`) runs after
# the schema's rules; tests/unit/test_document_cache.py fails if that list changes.
STRAWBERRY_RULES: Final[tuple[type[ASTValidationRule], ...]] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)


@dataclass(slots=True)
class CachedDocument:
    document: DocumentNode
    size: int
    # Validation errors by the rule set they were computed with (nearly always one).
    validations: dict[tuple[Any, ...], list[GraphQLError]] = field(default_factory=dict)
    plans: DocumentPlans = field(default_factory=DocumentPlans)

    def operations(self) -> Iterator[OperationDefinitionNode]:
        for definition in self.document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                yield definition


def keep_plans_for(document: DocumentNode) -> DocumentPlans:
    """Plans for a document kept for the life of the process (the trusted documents' manifest)."""
    plans = DocumentPlans()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            register_plans(definition, plans)
    return plans


def estimated_size(query: str) -> int:
    return ENTRY_OVERHEAD_BYTES + BYTES_PER_CHARACTER * len(query)


class DocumentCache:
    """A least-recently-used store of documents by query text, bounded by estimated bytes."""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: OrderedDict[ParseKey, CachedDocument] = OrderedDict()
        self._by_document: dict[int, CachedDocument] = {}
        self._max_bytes = max_bytes
        self._bytes = 0
        # The rules Strawberry validates with (its defaults and those the extensions add),
        # fixed for the schema this cache serves; recorded at the first validation.
        self.rules: tuple[Any, ...] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The estimated bytes held."""
        return self._bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def parsed(self, query: str, parse_options: Mapping[str, Any]) -> CachedDocument:
        """The cached entry for the query text, parsing it on a miss (parse errors are raised)."""
        key: ParseKey = (query, tuple(sorted(parse_options.items())))
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = CachedDocument(document=parse_document(query, **parse_options), size=estimated_size(query))
        if entry.size <= self._max_bytes:
            self._add(key, entry)
        return entry

    def validation(
        self, entry: CachedDocument, schema: GraphQLSchema, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        """The document's validation errors under the rules, computed once per rule set."""
        errors = entry.validations.get(rules)
        if errors is None:
            errors = validate(schema, entry.document, rules_for((*rules, *STRAWBERRY_RULES), entry.document))
            entry.validations[rules] = errors
        return errors

    def runnable(
        self, query: str, parse_options: Mapping[str, Any], schema: GraphQLSchema
    ) -> CachedDocument | None:
        """The entry for the query text when it parses and validates without an error, else None.

        Under the schema's rules, known once Strawberry's path has validated a first document
        here (a cache serves one schema, whose extensions add the same rules to every request);
        a held document's parse and validation are lookups.
        """
        if self.rules is None:
            return None
        try:
            entry = self.parsed(query, parse_options)
        except Exception:  # a syntax error, the token limit: Strawberry's path reports it
            return None
        return None if self.validation(entry, schema, self.rules) else entry

    def entry_for(self, document: DocumentNode) -> CachedDocument | None:
        return self._by_document.get(id(document))

    def _add(self, key: ParseKey, entry: CachedDocument) -> None:
        self._entries[key] = entry
        self._by_document[id(entry.document)] = entry
        for operation in entry.operations():
            register_plans(operation, entry.plans)
        self._bytes += entry.size
        while self._bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size
            del self._by_document[id(evicted.document)]
            for operation in evicted.operations():
                unregister_plans(operation)


class CachedDocuments(SchemaExtension):
    """Parse and validate through a DocumentCache (in place of Strawberry's ParserCache and
    ValidationCache, whose LRU caches are bounded by entries)."""

    def __init__(self, *, documents: DocumentCache) -> None:
        self._documents = documents

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.graphql_document is None and execution.query:
            # A syntax error propagates as it does from Strawberry's ParserCache.
            entry = self._documents.parsed(execution.query, execution.parse_options)
            execution.graphql_document = entry.document
            context = execution.context
            if isinstance(context, Context):
                # The access log and metrics label the request by this document's operation.
                state = context.request.scope.setdefault("state", {})
                operation_name.remember_parsed(state, execution.query, entry.document)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        entry = self._documents.entry_for(document) if document is not None else None
        if entry is not None:
            rules = tuple(execution.validation_rules)
            self._documents.rules = rules
            execution.pre_execution_errors = self._documents.validation(
                entry, graphql_schema(execution.schema), rules
            )
        yield


def graphql_schema(schema: BaseSchema) -> GraphQLSchema:
    """graphql-core's schema behind Strawberry's, which Strawberry's ValidationCache reads the same
    way; Strawberry has no public accessor (tests/unit/test_document_cache.py pins it)."""
    core = getattr(schema, "_schema", None)
    if not isinstance(core, GraphQLSchema):
        raise TypeError("Strawberry no longer keeps graphql-core's schema as `_schema`")
    return core


def documents_extension(documents: DocumentCache) -> Callable[[], CachedDocuments]:
    return lambda: CachedDocuments(documents=documents)
