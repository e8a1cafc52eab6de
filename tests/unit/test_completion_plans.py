"""Compiled completion plans answer exactly what graphql-core's general completion answers."""

from __future__ import annotations

import asyncio
import enum
import inspect
from typing import Any

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType, parse
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.gql.document_cache import DocumentCache, documents_extension
from graph.gql.execution.completion_plans import CompletionPlans, PlanAbandoned, compile_completer
from graph.gql.execution.planned_execution import PLANS, DocumentPlans, PlannedExecutionContext
from graph.gql.schema import build_schema
from tests.support.benchmark_operations import FILTERED_SEARCH


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Part:
    name: str
    weight: float | None
    colour: Colour


@strawberry.type
class Car:
    id: strawberry.ID
    year: int
    sold: bool
    nickname: str | None
    parts: list[Part]
    spare: Part | None
    tags: list[str | None]
    private: strawberry.Private[str]

    @strawberry.field
    def label(self, upper: bool = False) -> str:
        return self.private.upper() if upper else self.private


@strawberry.type
class Garage:
    count: int
    cars: list[Car]


def car(**overrides: Any) -> Car:
    values: dict[str, Any] = {
        "id": strawberry.ID("c1"),
        "year": 1965,
        "sold": True,
        "nickname": None,
        "parts": [
            Part(name="wheel", weight=12.5, colour=Colour.RED),
            Part(name="seat", weight=None, colour=Colour.BLUE),
        ],
        "spare": None,
        "tags": ["classic", None],
        "private": "pony",
    }
    values.update(overrides)
    return Car(**values)


GARAGE: dict[str, Any] = {"value": Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])}


@strawberry.type
class Query:
    @strawberry.field
    async def garage(self) -> Garage:
        await asyncio.sleep(0)
        return GARAGE["value"]  # type: ignore[no-any-return]

    @strawberry.field
    def maybe_garage(self) -> Garage | None:
        return GARAGE["value"]  # type: ignore[no-any-return]


# Plans belong to the documents a DocumentCache holds.
planned = strawberry.Schema(
    query=Query,
    execution_context_class=PlannedExecutionContext,
    extensions=[documents_extension(DocumentCache())],
)
general = strawberry.Schema(query=Query)

QUERIES = [
    "{ garage { count cars { id year sold nickname tags parts { name weight colour } spare { name } } } }",
    "{ garage { n: count cars { y: year ...Bits } } } "
    "fragment Bits on Car { id parts { ... on Part { name } } }",
    "{ garage { __typename cars { __typename id id year } } }",
    "{ garage { count } garage { cars { id } } }",  # one response key, two field nodes
    "{ maybeGarage { cars { id label } } }",
    "{ garage { cars { id label(upper: true) } } }",
    "query Q($skip: Boolean!) { garage { cars { id year @skip(if: $skip) } } }",
    "{ garage { cars { id ... on Car { year } ...Nick } } } fragment Nick on Car { nickname }",
]


def run(schema: strawberry.Schema, query: str) -> dict[str, Any]:
    result = asyncio.run(schema.execute(query, variable_values={"skip": True}))
    return {
        "data": result.data,
        "errors": [(e.message, e.path) for e in result.errors or []],
    }


@pytest.mark.parametrize("query", QUERIES)
def test_planned_answers_match_the_general_executor(query: str) -> None:
    assert run(planned, query) == run(general, query)


def test_plans_are_used_for_plain_selections() -> None:
    planned_before = sum(1 for _, plan in PLANS.entries() if plan is not None)
    run(planned, "{ garage { fresh: count } }")
    # Compiled on the second sighting of a selection, not on the first.
    assert sum(1 for _, plan in PLANS.entries() if plan is not None) == planned_before
    run(planned, "{ garage { fresh: count } }")
    assert sum(1 for _, plan in PLANS.entries() if plan is not None) > planned_before


def planned_types(query: str) -> set[str]:
    """The types a fresh document cache's schema completed by plan in one request of `query`."""
    documents = DocumentCache()
    schema = strawberry.Schema(
        query=Query,
        execution_context_class=PlannedExecutionContext,
        extensions=[documents_extension(documents)],
    )
    assert run(schema, query) == run(general, query)
    entry = documents.parsed(query, {})
    assert len(documents) == 1
    return {str(kept[0]) for kept, plan in entry.plans.plans.entries() if plan is not None}


def test_a_list_of_several_values_is_planned_on_first_sight() -> None:
    # The first request of a document completes its two cars by one plan; the garage, seen
    # once, is completed the general way.
    assert planned_types("{ garage { cars { id } } }") == {"[Car!]!"}


def test_a_list_of_one_value_waits_for_a_second_sighting() -> None:
    GARAGE["value"] = Garage(count=1, cars=[car()])
    try:
        assert planned_types("{ garage { cars { id } } }") == set()
    finally:
        GARAGE["value"] = Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])


@pytest.mark.parametrize(
    "broken",
    [
        car(year=None),  # null in a non-null field
        car(year="not a number"),  # a value Int refuses
        car(parts=[None]),  # null in a list of non-null items
        car(parts="wheel"),  # not a list
        car(spare="not a part"),  # an object of the wrong class
        car(year=2**40),  # out of Int's range
    ],
)
def test_unusual_values_fall_back_with_the_executors_errors(broken: Car) -> None:
    GARAGE["value"] = Garage(count=1, cars=[broken])
    try:
        query = "{ garage { count cars { id year parts { name } spare { name } } } }"
        planned_answer = run(planned, query)
        assert planned_answer["errors"], "the broken value must produce an error"
        assert planned_answer == run(general, query)
    finally:
        GARAGE["value"] = Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])


def test_leaf_coercion_matches_the_scalars() -> None:
    # Int from a float with no fraction, String from an int, ID from an int: the executor's coercions.
    GARAGE["value"] = Garage(count=1, cars=[car(year=1965.0, nickname=7, id=12)])
    try:
        query = "{ garage { cars { id year nickname } } }"
        assert run(planned, query) == run(general, query)
        assert run(planned, query)["data"] == {
            "garage": {"cars": [{"id": "12", "year": 1965, "nickname": "7"}]}
        }
    finally:
        GARAGE["value"] = Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])


def field_nodes(query: str) -> list[Any]:
    operation = parse(query).definitions[0]
    return [operation.selection_set.selections[0]]  # type: ignore[attr-defined]


def garage_type() -> GraphQLNonNull[GraphQLObjectType]:
    garage = planned._schema.type_map["Garage"]
    assert isinstance(garage, GraphQLObjectType)
    return GraphQLNonNull(garage)


def test_selections_with_resolvers_or_directives_have_no_plan() -> None:
    schema, garage = planned._schema, garage_type()
    assert compile_completer(schema, garage, field_nodes("{ garage { count cars { id } } }"), {}) is not None
    assert compile_completer(schema, garage, field_nodes("{ garage { cars { label } } }"), {}) is None
    assert (
        compile_completer(schema, garage, field_nodes("{ garage { count @include(if: true) } }"), {}) is None
    )


def test_plans_are_kept_per_document_node() -> None:
    schema, garage = planned._schema, garage_type()
    plans = CompletionPlans(max_plans=2)
    nodes = field_nodes("{ garage { count } }")
    first = plans.plan_for(schema, garage, nodes, {})
    assert first is not None
    assert plans.plan_for(schema, garage, nodes, {}) is first
    # An equal document parsed again is other nodes: a plan of its own.
    assert plans.plan_for(schema, garage, field_nodes("{ garage { count } }"), {}) is not first
    plans.plan_for(schema, garage, field_nodes("{ garage { cars { id } } }"), {})
    assert len(plans) <= 2


class FieldMiddleware(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


def test_field_middleware_sees_every_field() -> None:
    with_middleware = strawberry.Schema(
        query=Query, execution_context_class=PlannedExecutionContext, extensions=[FieldMiddleware]
    )
    answer = run(with_middleware, "{ garage { cars { id } } }")
    assert answer["data"] == {"garage": {"cars": [{"id": "C1"}, {"id": "C2"}]}}


def test_the_vehicle_search_page_is_planned_in_the_real_schema() -> None:
    # Guards the fast path against a Strawberry upgrade that changes how attribute fields resolve.
    schema = build_schema()._schema
    root = schema.query_type
    assert root is not None
    nodes = field_nodes(FILTERED_SEARCH)
    plan = CompletionPlans().plan_for(schema, root.fields["vehicles"].type, nodes, {})
    assert plan is not None


class Leak(Exception):
    """An exception a resolver left in an attribute; its text must never reach a client as data."""


@strawberry.type
class Oddities:
    text: str | None
    required: str
    count: int | None


ODDITIES: dict[str, Any] = {}


@strawberry.type
class OddQuery:
    @strawberry.field
    async def odd(self) -> Oddities:
        return ODDITIES["make"]()  # type: ignore[no-any-return]


odd_planned = strawberry.Schema(
    query=OddQuery,
    execution_context_class=PlannedExecutionContext,
    extensions=[documents_extension(DocumentCache())],
)
odd_general = strawberry.Schema(query=OddQuery)


def ready(value: Any) -> asyncio.Future[Any]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


@pytest.mark.parametrize(
    "make",
    [
        lambda: Oddities(text=Leak("secret"), required="x", count=1),  # type: ignore[arg-type]
        lambda: Oddities(text=ready("later"), required="x", count=1),  # type: ignore[arg-type]
        lambda: Oddities(text="x", required="x", count=ready(3)),  # type: ignore[arg-type]
        lambda: Oddities(text=Undefined, required="x", count=1),  # type: ignore[arg-type]
        lambda: Oddities(text="x", required=Undefined, count=1),  # type: ignore[arg-type]
        lambda: Oddities(text="x", required="x", count=Undefined),  # type: ignore[arg-type]
        lambda: Oddities(text=b"bytes", required="x", count=1),  # type: ignore[arg-type]
    ],
    ids=[
        "exception",
        "awaitable",
        "awaitable int",
        "undefined",
        "undefined required",
        "undefined int",
        "bytes",
    ],
)
def test_values_a_plan_does_not_own_are_completed_by_graphql_core(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each document here runs once: plan it at its first sighting.
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    ODDITIES["make"] = make
    query = "{ odd { text required count } }"
    planned_answer = run(odd_planned, query)
    assert planned_answer == run(odd_general, query)
    rendered = str(planned_answer["data"])
    assert "secret" not in rendered
    assert "Future" not in rendered
    assert "Undefined" not in rendered


def test_the_executor_still_completes_through_the_method_plans_override() -> None:
    # A graphql-core upgrade that renamed complete_value or changed its parameters would
    # leave the override uncalled (planning silently off) or failing on every field.
    general_completion = inspect.signature(StrawberryGraphQLCoreExecutionContext.complete_value)
    planned_completion = inspect.signature(PlannedExecutionContext.complete_value)
    assert list(planned_completion.parameters) == list(general_completion.parameters)


def test_an_abandoned_plan_is_counted() -> None:
    abandoned: list[str] = []
    plans = CompletionPlans(on_abandoned=abandoned.append)
    plan = plans.plan_for(planned._schema, garage_type(), field_nodes("{ garage { count } }"), {})
    assert plan is not None
    assert plan(Garage(count=3, cars=[])) == {"count": 3}
    with pytest.raises(PlanAbandoned):
        plan(Garage(count=Leak("boom"), cars=[]))  # type: ignore[arg-type]
    assert abandoned == ["Garage!"]
