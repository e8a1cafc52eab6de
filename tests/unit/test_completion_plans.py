"""Compiled completion plans answer exactly what graphql-core's general completion answers."""

from __future__ import annotations

import asyncio
import enum
from inspect import isawaitable
from typing import Any

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    execute,
    parse,
)
from graphql.pyutils import Undefined

from graph.compat.strawberry import graphql_schema
from graph.gql.document_cache import DocumentCache
from graph.gql.execution.completion_plans import CompletionPlans, PlanAbandoned, compile_completer
from graph.gql.execution.planned_execution import DocumentPlans, PlannedExecutionContext
from graph.gql.schema import build_schema
from tests.support.benchmark_operations import FILTERED_SEARCH
from tests.support.execution import execute_general, execute_planned, pipeline_documents


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


SCHEMA = graphql_schema(strawberry.Schema(query=Query))
# Plans belong to the documents a DocumentCache holds, as in the pipeline.
planned = pipeline_documents(schema=SCHEMA)

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


def answered(result: ExecutionResult) -> dict[str, Any]:
    return {
        "data": result.data,
        "errors": [(e.message, e.path) for e in result.errors or []],
    }


async def run(documents: DocumentCache, query: str) -> dict[str, Any]:
    """The answer with the plans of the document's entry in `documents`."""
    return answered(await execute_planned(documents, query, variables={"skip": True}))


async def general(schema: GraphQLSchema, query: str) -> dict[str, Any]:
    """The answer of Strawberry's executor alone."""
    return answered(await execute_general(schema, query, variables={"skip": True}))


def planned_count(documents: DocumentCache, query: str) -> int:
    return sum(1 for _, plan in documents.parsed(query).plans.plans.entries() if plan is not None)


@pytest.mark.parametrize("query", QUERIES)
async def test_planned_answers_match_the_general_executor(query: str) -> None:
    assert await run(planned, query) == await general(SCHEMA, query)


async def test_plans_are_used_for_plain_selections() -> None:
    documents = pipeline_documents(schema=SCHEMA)
    query = "{ garage { fresh: count } }"
    await run(documents, query)
    # Compiled on the second sighting of a selection, not on the first.
    assert planned_count(documents, query) == 0
    await run(documents, query)
    assert planned_count(documents, query) > 0


async def test_a_document_executed_without_plans_is_completed_the_general_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_plans(*_args: Any, **_options: Any) -> None:
        raise AssertionError("asked for a plan without plans")

    monkeypatch.setattr(DocumentPlans, "plan_for", no_plans)
    outcome = execute(SCHEMA, parse("{ garage { cars { id } } }"), executor_class=PlannedExecutionContext)
    result = await outcome if isawaitable(outcome) else outcome
    assert result.errors is None
    assert result.data == {"garage": {"cars": [{"id": "c1"}, {"id": "c2"}]}}


async def planned_types(query: str) -> set[str]:
    """The types a fresh document cache's entry completed by plan in one request of `query`."""
    documents = pipeline_documents(schema=SCHEMA)
    assert await run(documents, query) == await general(SCHEMA, query)
    entry = documents.parsed(query)
    assert len(documents) == 1
    return {str(kept[0]) for kept, plan in entry.plans.plans.entries() if plan is not None}


async def test_a_list_of_several_values_is_planned_on_first_sight() -> None:
    # The first request of a document completes its two cars by one plan; the garage, seen
    # once, is completed the general way.
    assert await planned_types("{ garage { cars { id } } }") == {"[Car!]!"}


async def test_a_list_of_one_value_waits_for_a_second_sighting() -> None:
    GARAGE["value"] = Garage(count=1, cars=[car()])
    try:
        assert await planned_types("{ garage { cars { id } } }") == set()
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
async def test_unusual_values_fall_back_with_the_executors_errors(broken: Car) -> None:
    GARAGE["value"] = Garage(count=1, cars=[broken])
    try:
        query = "{ garage { count cars { id year parts { name } spare { name } } } }"
        planned_answer = await run(planned, query)
        assert planned_answer["errors"], "the broken value must produce an error"
        assert planned_answer == await general(SCHEMA, query)
    finally:
        GARAGE["value"] = Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])


async def test_leaf_coercion_matches_the_scalars() -> None:
    # Int from a float with no fraction, String from an int, ID from an int: the executor's coercions.
    GARAGE["value"] = Garage(count=1, cars=[car(year=1965.0, nickname=7, id=12)])
    try:
        query = "{ garage { cars { id year nickname } } }"
        assert await run(planned, query) == await general(SCHEMA, query)
        assert (await run(planned, query))["data"] == {
            "garage": {"cars": [{"id": "12", "year": 1965, "nickname": "7"}]}
        }
    finally:
        GARAGE["value"] = Garage(count=2, cars=[car(), car(id=strawberry.ID("c2"), year=1970)])


def field_nodes(query: str) -> list[Any]:
    operation = parse(query).definitions[0]
    return [operation.selection_set.selections[0]]  # type: ignore[attr-defined]


def garage_type() -> GraphQLNonNull[GraphQLObjectType]:
    garage = SCHEMA.type_map["Garage"]
    assert isinstance(garage, GraphQLObjectType)
    return GraphQLNonNull(garage)


def test_selections_with_resolvers_or_directives_have_no_plan() -> None:
    schema, garage = SCHEMA, garage_type()
    assert compile_completer(schema, garage, field_nodes("{ garage { count cars { id } } }"), {}) is not None
    assert compile_completer(schema, garage, field_nodes("{ garage { cars { label } } }"), {}) is None
    assert (
        compile_completer(schema, garage, field_nodes("{ garage { count @include(if: true) } }"), {}) is None
    )


def test_a_streamed_list_has_no_plan_so_the_executor_streams_it() -> None:
    car = SCHEMA.type_map["Car"]
    assert isinstance(car, GraphQLObjectType)
    cars = GraphQLNonNull(GraphQLList(GraphQLNonNull(car)))
    plain = field_nodes("{ cars { id } }")
    streamed = field_nodes("{ cars @stream(initialCount: 1) { id } }")
    assert compile_completer(SCHEMA, cars, plain, {}) is not None
    assert compile_completer(SCHEMA, cars, streamed, {}) is None


def test_plans_are_kept_per_document_node() -> None:
    schema, garage = SCHEMA, garage_type()
    plans = CompletionPlans(max_plans=2)
    nodes = field_nodes("{ garage { count } }")
    first = plans.plan_for(schema, garage, nodes, {})
    assert first is not None
    assert plans.plan_for(schema, garage, nodes, {}) is first
    # An equal document parsed again is other nodes: a plan of its own.
    assert plans.plan_for(schema, garage, field_nodes("{ garage { count } }"), {}) is not first
    plans.plan_for(schema, garage, field_nodes("{ garage { cars { id } } }"), {})
    assert len(plans) <= 2


def upper_case(next_: Any, root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
    value = next_(root, info, **kwargs)
    return value.upper() if isinstance(value, str) else value


async def test_field_middleware_sees_every_field() -> None:
    # Two cars would be completed by a plan on first sight, past any middleware.
    documents = pipeline_documents(schema=SCHEMA)
    query = "{ garage { cars { id } } }"
    result = await execute_planned(documents, query, middleware=[upper_case])
    assert result.data == {"garage": {"cars": [{"id": "C1"}, {"id": "C2"}]}}
    assert planned_count(documents, query) == 0


def test_the_vehicle_search_page_is_planned_in_the_real_schema() -> None:
    # Guards the fast path against a Strawberry upgrade that changes how attribute fields resolve.
    schema = graphql_schema(build_schema())
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


ODD_SCHEMA = graphql_schema(strawberry.Schema(query=OddQuery))
odd_planned = pipeline_documents(schema=ODD_SCHEMA)


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
async def test_values_a_plan_does_not_own_are_completed_by_graphql_core(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each document here runs once: plan it at its first sighting.
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    ODDITIES["make"] = make
    query = "{ odd { text required count } }"
    planned_answer = await run(odd_planned, query)
    assert planned_answer == await general(ODD_SCHEMA, query)
    rendered = str(planned_answer["data"])
    assert "secret" not in rendered
    assert "Future" not in rendered
    assert "Undefined" not in rendered


def test_an_abandoned_plan_is_counted() -> None:
    abandoned: list[str] = []
    plans = CompletionPlans(on_abandoned=abandoned.append)
    plan = plans.plan_for(SCHEMA, garage_type(), field_nodes("{ garage { count } }"), {})
    assert plan is not None
    assert plan(Garage(count=3, cars=[])) == {"count": 3}
    with pytest.raises(PlanAbandoned):
        plan(Garage(count=Leak("boom"), cars=[]))  # type: ignore[arg-type]
    assert abandoned == ["Garage!"]
