"""The requested cost of an operation: the static estimate of the cost directives, before anything runs.

The arithmetic is the specification's as the gateways apply it: a field costs
its weight plus the cost of its selection, and a list field that many times
over its size. A list's size is its slicing argument (a list argument counts
its items), else the argument's default, else the table's assumed size; a
connection's slicing argument sizes its `edges` and `nodes`. With
`variables=None` (the cost limit, which runs with validation, before variables
are known) an argument given by a variable counts as the largest it accepts.

Each fragment is measured once per place kind (which lists its parent sizes),
so nested spreads cannot make the estimate itself exponential; a field selected
twice (directly and through a fragment) counts twice, which only raises an
upper bound. Introspection costs nothing here: the limits hold it on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    value_from_ast_untyped,
)

from graph.gql.cost.table import LIST_SIZES, SUBGRAPH_LIST_SIZES, Sizing, weight_of

Parent = GraphQLObjectType | GraphQLInterfaceType
# Sizes a connection hands to its list fields: (field name, size) pairs.
Sized = tuple[tuple[str, int], ...]


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    variables: Mapping[str, Any] | None,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    if variables is not None:
        variables = {**_defaults(operation), **variables}
    return _Estimate(schema, fragments, variables).selection(root, operation.selection_set, (), frozenset())


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The operation's own variable defaults, for the variables a request leaves out."""
    return {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }


def list_size(
    field: FieldNode, definition: GraphQLField, sizing: Sizing, variables: Mapping[str, Any] | None
) -> int:
    """The size the table and the field's arguments give a list (or a connection's lists)."""
    name = sizing.slicing_argument
    largest = sizing.largest if sizing.largest is not None else sizing.assumed_size or 1
    if name is None:
        return sizing.assumed_size or 1
    value: Any = Undefined
    for argument in field.arguments or ():
        if argument.name.value != name:
            continue
        node = argument.value
        if isinstance(node, IntValueNode):
            value = int(node.value)
        elif isinstance(node, ListValueNode):
            value = len(node.values)
        elif isinstance(node, VariableNode):
            if variables is None:
                return largest  # not known yet: assume the worst
            value = variables.get(node.name.value, Undefined)
        else:
            return largest
    if value is Undefined or value is None:
        declared = definition.args[name].default_value if name in definition.args else Undefined
        value = declared if isinstance(declared, int) else sizing.assumed_size or largest
    if isinstance(value, (list, tuple)):
        value = len(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return largest
    return max(0, min(value, largest))


class _Estimate:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.measured: dict[tuple[str, Sized], int] = {}

    def selection(
        self, parent: Parent, selection_set: SelectionSetNode | None, sized: Sized, seen: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, sized, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._parent(condition.name.value) if condition else parent
                total += self.selection(inner or parent, selection.selection_set, sized, seen)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, sized, seen)
        return total

    def fragment(self, name: str, sized: Sized, seen: frozenset[str]) -> int:
        key = (name, sized)
        if key in self.measured:
            return self.measured[key]
        definition = self.fragments.get(name)
        if definition is None or name in seen:
            return 0  # unknown or circular: validation reports it
        parent = self._parent(definition.type_condition.name.value)
        cost = 0 if parent is None else self.selection(parent, definition.selection_set, sized, seen | {name})
        self.measured[key] = cost
        return cost

    def field(self, parent: Parent, node: FieldNode, sized: Sized, seen: frozenset[str]) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # __typename, introspection, or unknown (validation reports it)
        named = get_named_type(definition.type)
        composite = is_composite_type(named)
        weight = weight_of(parent.name, name, composite=composite)
        sizing = LIST_SIZES.get((parent.name, name)) or SUBGRAPH_LIST_SIZES.get((parent.name, name))
        size = 1 if sizing is None else list_size(node, definition, sizing, self.variables)
        below: Sized = ()
        if sizing is not None and sizing.sized_fields:
            below, size = tuple((each, size) for each in sizing.sized_fields), 1
        elif sizing is None:
            size = dict(sized).get(name, 1)
        children = 0
        if composite and isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            children = self.selection(named, node.selection_set, below, seen)
        if is_list_type(get_nullable_type(definition.type)):
            return size * (weight + children)
        return weight + children

    def _parent(self, name: str) -> Parent | None:
        found = self.schema.get_type(name)
        return found if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)) else None
