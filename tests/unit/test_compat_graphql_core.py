"""What graph/compat/graphql_core.py takes from graphql-core beyond its documented API.

Each test fails when an upgrade changes one of those names: the lexer's
`read_string` and `create_token` (the string lexer of graph/gql/parsing.py),
the visitor's `enter_leave_map` and `EnterLeaveVisitor` (the combined rule of
graph/gql/combined_rules.py), and the executor's `complete_value` with
`FieldDetailsList` and `does_fragment_condition_match` (completion plans), and
the plain executor's methods `WholeAnswerExecutor` takes over the incremental
executor's (one answer for a client that reads no parts).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLOutputType,
    GraphQLString,
    Source,
    Token,
    TokenKind,
    execute,
    experimental_execute_incrementally,
    parse,
    validate,
)
from graphql import build_schema as build_from_sdl
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetails
from graphql.language import Lexer, Visitor
from graphql.language import visitor as graphql_visitor
from graphql.language.parser import Parser

from graph.compat.graphql_core import (
    EnterLeaveVisitor,
    FieldDetailsList,
    KindBoundRule,
    PlanningExecutor,
    StringReadingLexer,
    WholeAnswerExecutor,
    does_fragment_condition_match,
)
from graph.compat.strawberry import ExecutionContext, graphql_schema
from graph.gql.schema import build_schema

# Plain strings on two lines (line and column matter), a block string and an escaped one.
DOCUMENT = (
    '{ vehicle(id: "Ford") { id }\n'
    '  a: vehicle(id: "Mercedes 300 SL") { id } b: x(s: """block""", t: "\\u00e9") }'
)


class Recording(StringReadingLexer):
    """Asked for every string; reads the plain ones itself (no backslash before the closing quote)."""

    def __init__(self, source: Source, *, read_plain: bool) -> None:
        super().__init__(source)
        self.read_plain = read_plain
        self.asked: list[int] = []

    def plain_string_end(self, body: str, start: int) -> int | None:
        self.asked.append(start)
        end = body.index('"', start + 1)
        return end if self.read_plain and "\\" not in body[start:end] else None


def tokens(lexer: Lexer) -> list[tuple[Any, ...]]:
    found = []
    while True:
        token: Token = lexer.advance()
        found.append((token.kind, token.start, token.end, token.line, token.column, token.value))
        if token.kind is TokenKind.EOF:
            return found


def test_the_lexer_reads_every_string_token_through_read_string() -> None:
    # The string lexer's gain rests on graphql-core's lexer calling read_string for each
    # (non-block) string; an upgrade that inlines or renames it fails here, not silently.
    lexer = Recording(Source(DOCUMENT), read_plain=False)
    tokens(lexer)
    strings = [DOCUMENT.index('"Ford"'), DOCUMENT.index('"Mercedes'), DOCUMENT.index('"\\u00e9')]
    assert lexer.asked == strings
    parsing = Recording(Source(DOCUMENT), read_plain=True)
    document = Parser(Source(DOCUMENT), lexer=parsing).parse_document()
    assert parsing.asked == strings
    assert document.loc is not None


def test_create_token_makes_the_token_graphql_core_makes() -> None:
    ours = tokens(Recording(Source(DOCUMENT), read_plain=True))
    assert ours == tokens(Lexer(Source(DOCUMENT)))
    assert "Mercedes 300 SL" in [token[5] for token in ours]


def test_enter_leave_visitor_is_graphql_cores() -> None:
    def enter(*_args: Any) -> None:
        return None

    assert EnterLeaveVisitor is graphql_visitor.EnterLeaveVisitor
    pair = EnterLeaveVisitor(enter, None)
    assert pair.enter is enter
    assert pair.leave is None
    assert tuple(pair) == (enter, None)


def test_visitors_find_their_methods_per_kind_through_enter_leave_map() -> None:
    # combined_rules.py fills `enter_leave_map` itself; graphql-core must read it first.
    class FieldVisitor(Visitor):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            return None

    visitor = FieldVisitor()
    bound = visitor.get_enter_leave_for_kind("field")
    assert visitor.enter_leave_map["field"] is bound
    assert bound.leave is None
    planted = EnterLeaveVisitor(None, None)
    visitor.enter_leave_map["name"] = planted
    assert visitor.get_enter_leave_for_kind("name") is planted


def test_field_details_and_fragment_matching_keep_their_shape() -> None:
    assert FieldDetailsList == list[FieldDetails]
    node = parse("{ x }").definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    assert FieldDetails(node, None).node is node
    parameters = list(inspect.signature(does_fragment_condition_match).parameters)
    assert parameters == ["schema", "fragment", "type_"]
    schema = graphql_schema(build_schema())
    fragment = parse("fragment F on Vehicle { id }").definitions[0]
    assert isinstance(fragment, FragmentDefinitionNode)
    vehicle, group = schema.type_map["Vehicle"], schema.type_map["ManufacturerModelGroup"]
    assert does_fragment_condition_match(schema, fragment, vehicle) is True  # type: ignore[arg-type]
    assert does_fragment_condition_match(schema, fragment, group) is False  # type: ignore[arg-type]


def test_the_planning_executor_overrides_graphql_cores_complete_value() -> None:
    # A graphql-core upgrade that renamed complete_value or changed its parameters would
    # leave the override uncalled (planning silently off) or failing on every field.
    planned = list(inspect.signature(PlanningExecutor.complete_value).parameters)
    assert planned == list(inspect.signature(Executor.complete_value).parameters)
    assert planned == list(inspect.signature(ExecutionContext.complete_value).parameters)
    assert issubclass(PlanningExecutor, ExecutionContext)


class Answering(PlanningExecutor):
    """Completes every String itself, and notes what it was asked."""

    asked: ClassVar[list[tuple[str, list[str], Any]]] = []

    def complete_planned(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, result: Any
    ) -> tuple[bool, Any]:
        self.asked.append((str(return_type), [d.node.name.value for d in field_details_list], result))
        if return_type is GraphQLString:
            return True, "planned"
        return False, None


def test_complete_value_asks_complete_planned_first() -> None:
    schema = build_from_sdl("type Query { a: String b: Int }")
    document = parse("{ a b }")
    root = {"a": "resolved", "b": 2}
    Answering.asked = []
    assert execute(schema, document, root_value=root, executor_class=Answering).data == {  # type: ignore[union-attr]
        "a": "planned",
        "b": 2,
    }
    assert Answering.asked == [("String", ["a"], "resolved"), ("Int", ["b"], 2)]
    # Without a plan of its own, the executor completes everything the general way.
    general = execute(schema, document, root_value=root, executor_class=PlanningExecutor)
    assert general.data == {"a": "resolved", "b": 2}  # type: ignore[union-attr]


def test_a_kind_bound_rule_binds_each_kind_once_through_the_visitors_map() -> None:
    bound: list[str] = []

    class Counting(KindBoundRule):
        def enter_field(self, *_args: Any) -> None:
            return None

        def bind_kind(self, kind: str) -> Any:
            bound.append(kind)
            return super().bind_kind(kind)

    schema = graphql_schema(build_schema())
    errors = validate(schema, parse("{ vehicles { totalCount nodes { id } } }"), [Counting])
    assert errors == []
    assert bound.count("field") == 1  # bound once, then read from enter_leave_map
    assert "field" in bound
    assert "document" in bound


def test_the_planning_executor_sees_graphql_cores_field_middleware() -> None:
    schema = graphql_schema(build_schema())
    document = parse("{ __typename }")
    plain = PlanningExecutor.build(schema, document)
    assert isinstance(plain, PlanningExecutor)
    assert not plain.has_field_middleware

    def middleware(next_: Any, root: Any, info: Any, **args: Any) -> Any:
        return next_(root, info, **args)

    with_middleware = PlanningExecutor.build(schema, document, middleware=[middleware])
    assert isinstance(with_middleware, PlanningExecutor)
    assert with_middleware.has_field_middleware


INCREMENTAL_SDL = """
directive @defer(if: Boolean! = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @stream(if: Boolean! = true, label: String, initialCount: Int = 0) on FIELD
type Item { n: Int }
type Query { a: String b: String items: [Item] }
"""
INCREMENTAL_ROOT = {"a": "first", "b": "later", "items": [{"n": 1}, {"n": 2}, {"n": 3}]}
INCREMENTAL_DOCUMENT = "{ a ... @defer { b } items @stream(initialCount: 1) { n } }"


def test_the_plain_executor_completes_deferred_and_streamed_selections_in_place() -> None:
    for name, arity in (
        ("execute_collected_root_fields", 6),
        ("execute_collected_subfields", 7),
        ("handle_stream", 8),
    ):
        assert len(inspect.signature(getattr(Executor, name)).parameters) == arity, name
    schema = build_from_sdl(INCREMENTAL_SDL)
    document = parse(INCREMENTAL_DOCUMENT)
    # Strawberry's executor (graphql-core's incremental one) delivers parts...
    parts = experimental_execute_incrementally(
        schema, document, root_value=INCREMENTAL_ROOT, executor_class=ExecutionContext
    )
    assert not isinstance(parts, ExecutionResult)
    assert parts.initial_result.data == {"a": "first", "items": [{"n": 1}]}  # type: ignore[union-attr]
    # ...and with the plain executor's three methods, one whole answer.
    whole = experimental_execute_incrementally(
        schema, document, root_value=INCREMENTAL_ROOT, executor_class=WholeAnswerExecutor
    )
    assert isinstance(whole, ExecutionResult)
    assert whole.data == {"a": "first", "b": "later", "items": [{"n": 1}, {"n": 2}, {"n": 3}]}
    assert whole.errors is None
