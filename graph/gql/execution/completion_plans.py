"""Compiled completion of plain selections: the hot path of every page of vehicles.

graphql-core completes a result field by field: for each one it builds a
resolve info, calls Strawberry's attribute resolver, checks for awaitables and
unwraps non-null and list types, and on a page of vehicles that costs more CPU
than the Elasticsearch search behind it (docs/cold-path.md).

Most selections below a resolver are *plain*: every field is an attribute of a
Strawberry type (no resolver, no arguments, no directives) and ends in a
built-in scalar (String, ID, Int, Float, Boolean). For those, a tree of closures
built once per (type, field nodes) of a parsed document does what the executor
would do on success: read the attribute, check null, coerce the scalar,
nothing else.

A plan skips the executor's checks of each value (an exception is raised as the
field's error, an awaitable awaited, `Undefined` read as null), so it accepts
only the values for which those checks do nothing: leaves whose type is
exactly str, int, float or bool, and None (or `Undefined`, read as null). A
plan never reports an error itself. Anything out of the ordinary (a null in a
non-null position, a value of any other type, a value a scalar refuses, an
object of an unexpected class) abandons it, and the executor completes the
same value the general way, so errors keep the executor's messages and paths.
Attribute reads have no side effects, so reading twice is harmless. Abandoned
plans are counted (`autos_graph_completion_plans_abandoned_total`): in service
they should stay at zero.

The library names this relies on beyond their documentation (Strawberry's
attribute resolver and definitions, graphql-core's fragment matching) come from
graph/compat, where tests pin them; if one changes, the benchmark operations
stop running on plans and tests/integration/test_benchmark_operations_planned.py
fails too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.pyutils import Undefined

from graph.compat.graphql_core import does_fragment_condition_match
from graph.compat.strawberry import DEFINITION_KEY, plain_attribute, plain_object_class
from graph.observability.metrics import record_plan_abandoned

# Completes one value (already resolved) into its JSON-ready form, or raises.
Completer = Callable[[Any], Any]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

# The only leaf values a plan completes: the executor's checks leave them unchanged.
_PLAIN_VALUES = frozenset({str, int, float, bool})
_BUILT_IN_SCALARS = (GraphQLString, GraphQLID, GraphQLInt, GraphQLFloat, GraphQLBoolean)

# Plans are kept per document; past this many in one, its table starts again rather than growing.
MAX_PLANS = 4096


class PlanAbandoned(Exception):
    """The value is not the ordinary case a plan handles; complete it the general way."""


class CompletionPlans:
    """Plans by (return type, field nodes); None records a selection that is not plain."""

    def __init__(
        self, *, max_plans: int = MAX_PLANS, on_abandoned: Callable[[str], None] = record_plan_abandoned
    ) -> None:
        self._max_plans = max_plans
        self._on_abandoned = on_abandoned
        # Keyed by ids; the nodes are kept in the value so an id cannot be reused
        # by another node while its entry exists.
        self._plans: dict[tuple[int, ...], tuple[tuple[Any, ...], Completer | None]] = {}

    def __len__(self) -> int:
        return len(self._plans)

    def entries(self) -> list[tuple[tuple[Any, ...], Completer | None]]:
        """(type and nodes, plan) pairs: for tests and diagnostics."""
        return list(self._plans.values())

    def plan_for(
        self,
        schema: GraphQLSchema,
        return_type: GraphQLOutputType,
        field_nodes: Sequence[FieldNode],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> Completer | None:
        # Looked up for every value the executor completes, so kept cheap: a tuple
        # of ids, and identity checks rather than equality (AST nodes hash deeply).
        key = (id(return_type), *map(id, field_nodes))
        entry = self._plans.get(key)
        if entry is not None and _same_objects(entry[0], return_type, field_nodes):
            return entry[1]
        compiled = compile_completer(schema, return_type, field_nodes, fragments)
        plan = None if compiled is None else _counted(compiled, str(return_type), self._on_abandoned)
        if len(self._plans) >= self._max_plans:
            self._plans.clear()
        self._plans[key] = ((return_type, *field_nodes), plan)
        return plan


def _counted(plan: Completer, type_name: str, on_abandoned: Callable[[str], None]) -> Completer:
    def counted(value: Any) -> Any:
        try:
            return plan(value)
        except Exception:
            on_abandoned(type_name)
            raise

    return counted


def _same_objects(
    kept: tuple[Any, ...], return_type: GraphQLOutputType, field_nodes: Sequence[FieldNode]
) -> bool:
    if kept[0] is not return_type or len(kept) != len(field_nodes) + 1:
        return False
    if len(field_nodes) == 1:  # nearly always: no generator for it
        return kept[1] is field_nodes[0]
    return all(kept[position] is node for position, node in enumerate(field_nodes, start=1))


def compile_completer(
    schema: GraphQLSchema,
    return_type: GraphQLOutputType,
    field_nodes: Sequence[FieldNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> Completer | None:
    """A completer for values of `return_type` selected by `field_nodes`, or None when not plain."""
    if isinstance(return_type, GraphQLNonNull):
        inner = _present_completer(schema, return_type.of_type, field_nodes, fragments)
        if inner is None:
            return None
        return _required(inner)
    present = _present_completer(schema, return_type, field_nodes, fragments)
    if present is None:
        return None
    return _nullable(present)


def _required(complete: Completer) -> Completer:
    def required(value: Any) -> Any:
        if value is None or value is Undefined:
            raise PlanAbandoned
        return complete(value)

    return required


def _nullable(complete: Completer) -> Completer:
    def nullable(value: Any) -> Any:
        return None if value is None or value is Undefined else complete(value)

    return nullable


def _present_completer(
    schema: GraphQLSchema,
    named_or_list: Any,
    field_nodes: Sequence[FieldNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> Completer | None:
    """A completer for a value known not to be None."""
    if isinstance(named_or_list, GraphQLList):
        if any(d.name.value == "stream" for node in field_nodes for d in node.directives or ()):
            return None  # the executor delivers a streamed list's items in parts
        item = compile_completer(schema, named_or_list.of_type, field_nodes, fragments)
        return None if item is None else _list_completer(item)
    if isinstance(named_or_list, GraphQLScalarType):
        return _leaf_completer(named_or_list)
    if isinstance(named_or_list, GraphQLObjectType):
        return _object_completer(schema, named_or_list, field_nodes, fragments)
    return None  # enums, interfaces and unions: the executor resolves the value or the runtime type


def _list_completer(item: Completer) -> Completer:
    def complete_list(value: Any) -> list[Any]:
        # The executor accepts any iterable; a plan only the sequences our types hold.
        if type(value) is not list and type(value) is not tuple:
            raise PlanAbandoned
        return [item(element) for element in value]

    return complete_list


def _leaf_completer(leaf: GraphQLScalarType) -> Completer | None:
    """A completer for a built-in scalar, or None: custom scalars take values of other types."""
    if not any(leaf is scalar for scalar in _BUILT_IN_SCALARS):
        return None
    coerce = leaf.coerce_output_value

    def coerced(value: Any) -> Any:
        if type(value) not in _PLAIN_VALUES:
            raise PlanAbandoned  # an exception, an awaitable, Undefined, any other object
        result = coerce(value)
        if result is None or result is Undefined:
            raise PlanAbandoned
        return result

    # The built-in scalars return these values unchanged; skip the call for them.
    if leaf is GraphQLString or leaf is GraphQLID:

        def text(value: Any) -> Any:
            return value if type(value) is str else coerced(value)

        return text
    if leaf is GraphQLInt:

        def integer(value: Any) -> Any:
            if type(value) is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return coerced(value)

        return integer
    if leaf is GraphQLBoolean:

        def boolean(value: Any) -> Any:
            return value if type(value) is bool else coerced(value)

        return boolean
    return coerced


def _object_completer(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    field_nodes: Sequence[FieldNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> Completer | None:
    # The one is_type_of Strawberry generates for a type with interfaces (Vehicle is a Node)
    # accepts any instance of the type, which the plan's exact class check below implies.
    origin = plain_object_class(object_type)
    if origin is None:
        return None
    selected = collect_plain_fields(schema, object_type, field_nodes, fragments)
    if selected is None:
        return None
    entries: list[tuple[str, str | None, Completer]] = []
    for response_key, nodes in selected.items():
        field_name = nodes[0].name.value
        if field_name == "__typename":
            entries.append((response_key, None, _constant(object_type.name)))
            continue
        attribute = _plain_attribute(object_type, field_name)
        if attribute is None:
            return None
        field_def = object_type.fields[field_name]
        complete = compile_completer(schema, field_def.type, nodes, fragments)
        if complete is None:
            return None
        entries.append((response_key, attribute, complete))

    def complete_object(value: Any) -> dict[str, Any]:
        if type(value) is not origin:
            raise PlanAbandoned
        return {
            key: complete(getattr(value, attribute)) if attribute is not None else complete(None)
            for key, attribute, complete in entries
        }

    return complete_object


def _constant(value: str) -> Completer:
    def constant(_: Any) -> str:
        return value

    return constant


def _plain_attribute(object_type: GraphQLObjectType, field_name: str) -> str | None:
    """The Python attribute behind a field that only reads it, or None for any other field."""
    field_def = object_type.fields.get(field_name)
    if field_def is None or field_def.args:
        return None
    return plain_attribute(field_def.extensions.get(DEFINITION_KEY), field_def.resolve)


def collect_plain_fields(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    field_nodes: Sequence[FieldNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]] | None:
    """The sub-fields by response key, in the executor's order; None if any selection has a directive."""
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()

    def visit(selection_set: SelectionSetNode) -> bool:
        for selection in selection_set.selections:
            if selection.directives:
                return False  # @skip, @include, @defer...: the executor decides
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if does_fragment_condition_match(schema, selection, object_type) and not visit(
                    selection.selection_set
                ):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                if selection.arguments:
                    return False
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = fragments.get(name)
                if fragment is None or fragment.directives:
                    return False
                if does_fragment_condition_match(schema, fragment, object_type) and not visit(
                    fragment.selection_set
                ):
                    return False
            else:
                return False
        return True

    for node in field_nodes:
        if node.selection_set is None or not visit(node.selection_set):
            return None
    return grouped
