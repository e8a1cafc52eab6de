"""Strawberry's undocumented names the GraphQL pipeline relies on.

Strawberry builds the schema; the pipeline (graph/gql/pipeline.py) executes
documents against graphql-core's schema behind it, with the execution context
class Strawberry itself passes to graphql-core, and validates with the two
rules Strawberry adds to graphql-core's. Completion plans recognise fields that
only read an attribute by the resolver Strawberry generates for them.
tests/unit/test_compat_strawberry.py pins every name here.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import ASTValidationRule, GraphQLObjectType, GraphQLSchema
from strawberry.execution.is_awaitable import optimized_is_awaitable
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
