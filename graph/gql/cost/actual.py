"""The actual cost of an answer: the requested cost's arithmetic over the lists as they came back.

A list costs what its items cost, each its weight plus its selection; a
field the answer leaves out (skipped, or of another type than the item's)
costs nothing; a null object costs its weight, since its resolver ran. Fields
are merged by response key as the executor merges them, so a field selected
both directly and through a fragment counts once, and the walk is as long as
the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)

from graph.gql.cost.table import weight_of

Parent = GraphQLObjectType | GraphQLInterfaceType


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    data: Mapping[str, Any] | None,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None or data is None:
        return 0
    return _Actual(schema, fragments).selection(root, operation.selection_set.selections, data)


class _Actual:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def selection(self, parent: Parent, selections: Iterable[SelectionNode], item: Mapping[str, Any]) -> int:
        total = 0
        for key, (owner, name, nodes) in self.collect(parent, selections, item, set()).items():
            if key in item:
                total += self.field(owner, name, nodes, item[key])
        return total

    def collect(
        self,
        parent: Parent,
        selections: Iterable[SelectionNode],
        item: Mapping[str, Any],
        visited: set[str],
        into: dict[str, tuple[Parent, str, list[FieldNode]]] | None = None,
    ) -> dict[str, tuple[Parent, str, list[FieldNode]]]:
        """The item's fields by response key: the type that defines each, and every node that selects it
        (fragments flattened; a fragment's fields belong to its type condition)."""
        fields = {} if into is None else into
        for selection in selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, (parent, selection.name.value, []))[2].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None:
                    self.collect(parent, selection.selection_set.selections, item, visited, fields)
                elif self._applies(condition.name.value, parent, item):
                    owner = self._owner(condition.name.value, parent)
                    self.collect(owner, selection.selection_set.selections, item, visited, fields)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if name in visited or definition is None:
                    continue
                visited.add(name)
                condition_name = definition.type_condition.name.value
                if self._applies(condition_name, parent, item):
                    owner = self._owner(condition_name, parent)
                    self.collect(owner, definition.selection_set.selections, item, visited, fields)
        return fields

    def field(self, parent: Parent, name: str, nodes: list[FieldNode], value: Any) -> int:
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # __typename or introspection
        named = get_named_type(definition.type)
        composite = is_composite_type(named)
        weight = weight_of(parent.name, name, composite=composite)
        if value is None:
            return weight
        selections = [each for node in nodes if node.selection_set for each in node.selection_set.selections]
        if is_list_type(get_nullable_type(definition.type)) and isinstance(value, list):
            return sum(self._item(named, weight, selections, each) for each in value)
        return self._item(named, weight, selections, value)

    def _item(self, named: Any, weight: int, selections: list[SelectionNode], value: Any) -> int:
        if not isinstance(value, Mapping) or not selections:
            return weight
        parent = self._runtime_type(named, value)
        return weight + (0 if parent is None else self.selection(parent, selections, value))

    def _runtime_type(self, named: Any, item: Mapping[str, Any]) -> Parent | None:
        typename = item.get("__typename")
        if isinstance(typename, str):
            found = self.schema.get_type(typename)
            if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)):
                return found
        return named if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)) else None

    def _owner(self, condition: str, parent: Parent) -> Parent:
        found = self.schema.get_type(condition)
        return found if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)) else parent

    def _applies(self, condition: str, parent: Parent, item: Mapping[str, Any]) -> bool:
        """Whether a fragment on `condition` applied to the item (without `__typename`, assumed so)."""
        if condition == parent.name:
            return True
        typename = item.get("__typename")
        if not isinstance(typename, str):
            return True
        found = self.schema.get_type(condition)
        runtime = self.schema.get_type(typename)
        if found is None or not isinstance(runtime, GraphQLObjectType):
            return False
        return found is runtime or (
            isinstance(found, GraphQLInterfaceType) and self.schema.is_sub_type(found, runtime)
        )


def answer_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, data: Mapping[str, Any] | None
) -> int:
    """The actual cost of the answer `data` to the document's operation named `operation_name`."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return actual_cost(schema, operation, fragments, data)
