"""The actual cost of an answer: the requested cost's arithmetic over the lists as they came back.

A list costs what its items cost, each its weight plus its selection; a
field the answer leaves out (skipped, or of another type than the item's)
costs nothing; a null object costs its weight, since its resolver ran. Fields
are merged by response key as the executor merges them, so a field selected
both directly and through a fragment counts once.

Every item of a list has the same selection, so what a selection asks for
(its fields by response key, their weights and their selections) is worked out
once per selection and type and reused for every item, unless a fragment's
type condition makes it depend on the item's `__typename`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

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


class _Field(NamedTuple):
    """One response key of a selection: what its value costs besides its own selection."""

    key: str
    weight: int
    is_list: bool
    # The type of its items when it has a selection; None for a scalar or __typename.
    named: Parent | None
    selections: tuple[SelectionNode, ...]


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    data: Mapping[str, Any] | None,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None or data is None:
        return 0
    return _Actual(schema, fragments).selection(root, tuple(operation.selection_set.selections), data)


def answer_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, data: Mapping[str, Any] | None
) -> int:
    """The actual cost of the answer `data` to the document's operation named `operation_name`."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return actual_cost(schema, operation, fragments, data)


class _Actual:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.plans: dict[tuple[str, tuple[int, ...]], list[_Field]] = {}

    def selection(
        self, parent: Parent, selections: tuple[SelectionNode, ...], item: Mapping[str, Any]
    ) -> int:
        total = 0
        for field in self.plan(parent, selections, item):
            if field.key not in item:
                continue
            value = item[field.key]
            if value is None:
                total += field.weight
            elif field.is_list and isinstance(value, list):
                if field.named is None:
                    total += field.weight * len(value)
                else:
                    total += sum(self._item(field, each) for each in value)
            else:
                total += self._item(field, value)
        return total

    def _item(self, field: _Field, value: Any) -> int:
        if field.named is None or not isinstance(value, Mapping):
            return field.weight
        parent = self._runtime_type(field.named, value)
        return field.weight + self.selection(parent, field.selections, value)

    def plan(
        self, parent: Parent, selections: tuple[SelectionNode, ...], item: Mapping[str, Any]
    ) -> list[_Field]:
        key = (parent.name, tuple(map(id, selections)))
        planned = self.plans.get(key)
        if planned is not None:
            return planned
        fields: dict[str, tuple[Parent, str, list[FieldNode]]] = {}
        by_item = self._collect(parent, selections, item, set(), fields)
        # Scalars weigh nothing (the table weighs none): only what can cost is walked, item after item.
        planned = [
            f for f in (self._field(key, *found) for key, found in fields.items()) if f.named or f.weight
        ]
        if not by_item:
            self.plans[key] = planned
        return planned

    def _collect(
        self,
        parent: Parent,
        selections: Sequence[SelectionNode],
        item: Mapping[str, Any],
        visited: set[str],
        fields: dict[str, tuple[Parent, str, list[FieldNode]]],
    ) -> bool:
        """Gathers the item's fields by response key, with the type defining each and every node that
        selects it (a fragment's fields belong to its type condition); whether that depended on the item."""
        by_item = False
        for selection in selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, (parent, selection.name.value, []))[2].append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = None if selection.type_condition is None else selection.type_condition.name.value
                inner: Sequence[SelectionNode] = selection.selection_set.selections
            elif isinstance(selection, FragmentSpreadNode):
                definition = self.fragments.get(selection.name.value)
                if definition is None or selection.name.value in visited:
                    continue
                visited.add(selection.name.value)
                condition, inner = definition.type_condition.name.value, definition.selection_set.selections
            else:
                continue
            owner = parent
            if condition is not None and condition != parent.name:
                by_item = True
                if not self._applies(condition, item):
                    continue
                found = self.schema.get_type(condition)
                owner = found if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)) else parent
            by_item = self._collect(owner, inner, item, visited, fields) or by_item
        return by_item

    def _field(self, key: str, owner: Parent, name: str, nodes: list[FieldNode]) -> _Field:
        definition = owner.fields.get(name)
        if definition is None:
            return _Field(key, 0, False, None, ())  # __typename or introspection
        named = get_named_type(definition.type)
        composite = is_composite_type(named)
        selections = tuple(
            each for node in nodes if node.selection_set for each in node.selection_set.selections
        )
        return _Field(
            key,
            weight_of(owner.name, name, composite=composite),
            is_list_type(get_nullable_type(definition.type)),
            named if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)) and selections else None,
            selections,
        )

    def _runtime_type(self, named: Parent, item: Mapping[str, Any]) -> Parent:
        typename = item.get("__typename")
        if isinstance(typename, str):
            found = self.schema.get_type(typename)
            if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)):
                return found
        return named

    def _applies(self, condition: str, item: Mapping[str, Any]) -> bool:
        """Whether a fragment on `condition` applied to the item (without `__typename`, assumed so)."""
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
