"""Partial matches in Elasticsearch: infix only from INFIX_MIN_LENGTH, user wildcards escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datasources.vehicles.vehicle_filter import (
    INFIX_MIN_LENGTH,
    InvalidFilter,
    VehicleFilter,
    build_query,
    infix_match,
)


def wildcards(query: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "wildcard" in node:
                found.append(node["wildcard"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(query)
    return found


def test_model_text_matches_inside_the_keyword_in_any_case() -> None:
    [clause] = wildcards(build_query(VehicleFilter(model="stang")))
    assert clause == {"model.keyword": {"value": "*stang*", "case_insensitive": True}}


def test_text_shorter_than_the_minimum_has_no_leading_wildcard() -> None:
    short = "x" * (INFIX_MIN_LENGTH - 1)
    assert infix_match("model.keyword", short) is None
    assert wildcards(build_query(VehicleFilter(model=short, manufacturer=short, search=short))) == []
    assert infix_match("model.keyword", "x" * INFIX_MIN_LENGTH) is not None


def test_wildcard_characters_of_the_user_are_literal() -> None:
    clause = infix_match("model.keyword", "a*b?c\\d")
    assert clause is not None
    assert clause["wildcard"]["model.keyword"]["value"] == "*a\\*b\\?c\\\\d*"


def test_search_words_match_inside_manufacturer_or_model() -> None:
    clauses = wildcards(build_query(VehicleFilter(search="vette ab")))
    # 'ab' is below the minimum: only 'vette' gets infix clauses, one per field.
    assert sorted(json.dumps(c, sort_keys=True) for c in clauses) == sorted(
        json.dumps({field: {"value": "*vette*", "case_insensitive": True}}, sort_keys=True)
        for field in ("manufacturer.keyword", "model.keyword")
    )


def test_text_with_a_control_character_is_refused_and_other_unicode_kept() -> None:
    for bad in ("Fo\x00rd", "Fo\x1frd", "\tFo\nrd x", "F\x07d"):
        with pytest.raises(InvalidFilter, match="control characters"):
            VehicleFilter(manufacturer=bad).normalised()
    kept = VehicleFilter(manufacturer=" Citro\u00ebn \u0020", model="M\x7fodel").normalised()
    assert (kept.manufacturer, kept.model) == ("Citro\u00ebn", "M\x7fodel")
