"""Comparing a peer's answer with autos-graph's."""

from __future__ import annotations

import orjson

from scripts.bench.agreement import disagreement, first_difference


def answer(document: object, status: int = 200) -> tuple[int, bytes]:
    return status, orjson.dumps(document)


def test_first_difference_names_the_path() -> None:
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) is None
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "$.a[1].b: 2 vs 3"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "$.a: 1 items vs 2"
    assert first_difference({"a": 1}, {}) == "$.a: missing in the peer's answer"
    assert first_difference({"a": 1}, {"a": 1.0}) is not None  # 1 and 1.0 are different JSON


def test_graphql_answers_compare_data_and_ignore_extensions() -> None:
    ours = answer({"data": {"x": 1}, "extensions": {"cost": 3}})
    assert disagreement(graphql=True, ours=ours, theirs=answer({"data": {"x": 1}})) is None
    assert disagreement(graphql=True, ours=ours, theirs=answer({"data": {"x": 2}})) == "$.data.x: 1 vs 2"


def test_graphql_errors_on_either_side_are_a_disagreement() -> None:
    failed = answer({"data": None, "errors": [{"message": "boom"}]})
    problem = disagreement(graphql=True, ours=answer({"data": {"x": 1}}), theirs=failed)
    assert problem is not None
    assert "the peer answered errors" in problem
    problem = disagreement(graphql=True, ours=failed, theirs=failed)
    assert problem is not None
    assert "autos-graph answered errors" in problem


def test_rest_answers_compare_status_and_body() -> None:
    body = {"total": 1, "results": [{"vehicle_id": "a"}]}
    assert disagreement(graphql=False, ours=answer(body), theirs=answer(body)) is None
    assert disagreement(graphql=False, ours=answer(body), theirs=answer(body, 500)) == (
        "HTTP 200 from autos-graph vs 500 from the peer"
    )
    assert disagreement(graphql=False, ours=answer(body), theirs=(200, b"<html>")) is not None
