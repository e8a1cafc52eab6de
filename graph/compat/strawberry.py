"""Strawberry's undocumented names the GraphQL pipeline relies on.

Strawberry builds the schema; the pipeline (graph/gql/pipeline.py) executes
documents against graphql-core's schema behind it, with the execution context
class Strawberry itself passes to graphql-core, and validates with the two
rules Strawberry adds to graphql-core's. Completion plans recognise fields that
only read an attribute by the resolver Strawberry generates for them.
tests/unit/test_compat_strawberry.py pins every name here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Final

import strawberry
from graphql import ASTValidationRule, GraphQLObjectType, GraphQLSchema
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions.tracing.apollo_federation import ApolloFederationTracingExtension
from strawberry.federation import Schema as FederationSchema
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key, Shareable
from strawberry.federation.types import FieldSet
from strawberry.printer import print_schema
from strawberry.schema.base import BaseSchema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.field import StrawberryField

# The execution context Strawberry runs graphql-core with: resolvers receive plain coerced
# variables through it, as they do under Strawberry's own `Schema.execute`.
ExecutionContext = StrawberryGraphQLCoreExecutionContext

# Strawberry's cheaper awaitable check, which it hands graphql-core as `is_awaitable`.
is_awaitable: Final[Any] = optimized_is_awaitable

# What Strawberry's `validate_document` runs after the rules it is given.
VALIDATION_RULES: Final[tuple[type[ASTValidationRule], ...]] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)

# Where Strawberry keeps its own definition of a graphql-core type or field.
DEFINITION_KEY: Final = "strawberry-definition"

# The resolver Strawberry generates for a field without one of its own (it reads the attribute).
_ATTRIBUTE_RESOLVER_NAME: Final = "_get_basic_result"


def graphql_schema(schema: BaseSchema) -> GraphQLSchema:
    """graphql-core's schema behind Strawberry's, which Strawberry keeps as `_schema`."""
    core = getattr(schema, "_schema", None)
    if not isinstance(core, GraphQLSchema):
        raise TypeError("Strawberry no longer keeps graphql-core's schema as `_schema`")
    return core


def plain_object_class(object_type: GraphQLObjectType) -> type | None:
    """The Python class whose instances are exactly the type's values, or None.

    None for a type Strawberry did not define, a generic one, or one with an
    `is_type_of` of its own, which could refuse a value a class check accepts.
    """
    definition = object_type.extensions.get(DEFINITION_KEY)
    if definition is None or definition.is_type_of is not None or definition.concrete_of is not None:
        return None
    origin: type = definition.origin
    return origin


def plain_attribute(field: object, resolve: object) -> str | None:
    """The Python attribute a Strawberry field only reads, or None for a field that does more."""
    if (
        not isinstance(field, StrawberryField)
        or not field.is_basic_field
        or resolve is None
        or getattr(resolve, "__name__", "") != _ATTRIBUTE_RESOLVER_NAME
        or field.default_resolver is not getattr
    ):
        return None
    return field.python_name


@strawberry.type(name="_Service")
class SubgraphService:
    """What `_service` answers: the subgraph's SDL, printed while its keys were on its types."""

    sdl: str


def federation_schema(
    *,
    query: type,
    types: Sequence[type],
    keys: Mapping[type, Sequence[str]],
    shareable: Sequence[type],
    check_representations: Callable[[Sequence[object]], None],
    version: str,
) -> FederationSchema:
    """A Federation 2 subgraph schema: `@key(fields:)` for each of `keys`, `@shareable` on `shareable`.

    Strawberry reads a type's directives (`@key`, `@shareable`...) from its
    definition, when it builds a schema and whenever it prints one. These
    belong to this schema alone (the direct clients' schema, built before or
    after from the same classes, has none), so they are on the definitions only
    while this schema is built and its SDL printed; `_service` and `as_str()`
    serve that SDL.
    (A copy of a definition instead would break Strawberry's identity checks
    when it resolves `_Entity` and `Node` to a type.)

    `check_representations` sees `_entities`' representations before
    Strawberry's resolver, which fails on a missing or unknown `__typename`
    with a bare KeyError, reads them.
    """
    printed: list[str] = []

    @strawberry.type(name="Query", description=query.__strawberry_definition__.description)  # type: ignore[attr-defined]
    class SubgraphQuery(query):  # type: ignore[misc]
        @strawberry.field(name="_service")
        def service(self) -> SubgraphService:
            return SubgraphService(sdl=printed[0])

    class SubgraphSchema(FederationSchema):
        def entities_resolver(
            self, info: strawberry.Info, representations: list[FederationAny]
        ) -> list[FederationAny]:
            check_representations(representations)
            return super().entities_resolver(info, representations)

        def as_str(self) -> str:
            return printed[0]

    directives: dict[type, list[object]] = {cls: [Key(fields=FieldSet(f)) for f in keys[cls]] for cls in keys}
    for cls in shareable:
        directives.setdefault(cls, []).append(Shareable())
    definitions = [cls.__strawberry_definition__ for cls in directives]  # type: ignore[attr-defined]
    originals = [definition.directives for definition in definitions]
    try:
        for definition, added in zip(definitions, directives.values(), strict=True):
            definition.directives = [*definition.directives, *added]
        schema = SubgraphSchema(query=SubgraphQuery, types=types, federation_version=version)  # type: ignore[arg-type]
        printed.append(print_schema(schema))
    finally:
        for definition, original in zip(definitions, originals, strict=True):
            definition.directives = original
    return schema


@contextmanager
def ftv1_recording(context: object) -> Iterator[ApolloFederationTracingExtension]:
    """Strawberry's FTV1 extension around one execution: pass it to graphql-core as middleware.

    Strawberry runs its extensions itself; the pipeline executes with
    graphql-core directly, so the extension's hooks are driven here: its
    operation hook (a generator) around the execution, its `resolve` as field
    middleware, `get_results()` afterwards (`{"ftv1": base64}`). It reads only
    `execution_context.context.request.headers`, to see the request asked.
    """
    extension = ApolloFederationTracingExtension()
    extension.execution_context = SimpleNamespace(context=context)  # type: ignore[assignment]
    operation = extension.on_operation()
    next(operation)
    yield extension
    next(operation, None)
