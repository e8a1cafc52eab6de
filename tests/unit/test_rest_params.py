"""The shim's parameter rules, one by one, without a server."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from datasources.vehicles.vehicle_filter import MakeModel, SortDirection, SortField, SortOrder
from graph.rest.params import (
    DEFAULT_ORDER,
    ParameterError,
    combinations_query,
    details_query,
    instance_count,
    parse_models,
)


def _error(call: object, query: str) -> ParameterError:
    with pytest.raises(ParameterError) as caught:
        call(QueryParams(query))  # type: ignore[operator]
    return caught.value


def test_defaults_follow_the_old_backend() -> None:
    details = details_query(QueryParams(""))
    assert (details.paging.page, details.paging.size) == (1, 20)
    assert details.orders == DEFAULT_ORDER
    assert details.sort_order == "asc"
    combinations = combinations_query(QueryParams(""))
    assert (combinations.paging, combinations.search) == (None, None)
    assert combinations_query(QueryParams("page=&size=")).paging is None
    only_page = combinations_query(QueryParams("page=2")).paging
    assert only_page is not None
    assert (only_page.page, only_page.size) == (2, 50)
    only_size = combinations_query(QueryParams("size=7")).paging
    assert only_size is not None
    assert (only_size.page, only_size.size) == (1, 7)
    assert instance_count(QueryParams("")) == 8


def test_empty_values_are_absent_values() -> None:
    query = details_query(QueryParams("page=&size=&yearMin=&yearMax=&manufacturer=%20&models=&sortBy="))
    assert (query.paging.page, query.paging.size) == (1, 20)
    assert query.echo() == {"modelCombos": [], "filters": {}, "sortBy": None, "sortOrder": "asc"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=abc", "page"),
        ("page=1e3", "page"),
        ("page=1_0", "page"),
        ("page=%D9%A3", "page"),  # an Arabic-Indic digit, which int() would accept
        ("page=99999999999999999999", "page"),
        ("size=0", "size"),
        ("size=-5", "size"),
        ("size=101", "size"),
        ("size=ten", "size"),
        ("page=2&page=3", "page"),
    ],
)
def test_bad_paging_names_the_parameter(query: str, parameter: str) -> None:
    for parse in (details_query, combinations_query):
        assert _error(parse, query).parameter == parameter


def test_size_100_is_the_largest_page() -> None:
    assert details_query(QueryParams("size=100")).paging.size == 100


def test_pages_past_the_result_window_are_refused_with_advice() -> None:
    assert details_query(QueryParams("page=100&size=100")).paging.offset == 9_900
    error = _error(details_query, "page=101&size=100")
    assert error.parameter == "page"
    assert "10,000" in error.message
    assert "after" in error.message  # points at GraphQL cursor paging
    # The groups are a small in-memory list: no window applies to them.
    deep = combinations_query(QueryParams("page=10000&size=100")).paging
    assert deep is not None
    assert deep.offset == 999_900


def test_year_range_must_be_ordered_and_integral() -> None:
    error = _error(details_query, "yearMin=1990&yearMax=1980")
    assert (error.parameter, "1990" in error.message) == ("yearMin", True)
    assert _error(details_query, "yearMin=nineteen").parameter == "yearMin"
    assert _error(details_query, "yearMax=10000").parameter == "yearMax"
    query = details_query(QueryParams("yearMin=1965&yearMax=1965"))
    assert (query.vehicle_filter.year_min, query.vehicle_filter.year_max) == (1965, 1965)


@pytest.mark.parametrize(
    "raw",
    [
        "Ford",
        "Ford:",
        ":Mustang",
        "Ford:Mustang,",
        "Ford:Mustang,,Chevrolet:Camaro",
        "Ford:Mustang:GT",
        " : ",
    ],
)
def test_malformed_models_are_refused(raw: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_models(raw)
    assert caught.value.parameter == "models"


def test_models_are_trimmed_and_bounded() -> None:
    assert parse_models(" Ford : Mustang ,Chevrolet:Camaro") == (
        MakeModel("Ford", "Mustang"),
        MakeModel("Chevrolet", "Camaro"),
    )
    assert parse_models("Mercedes-Benz:300 SL") == (MakeModel("Mercedes-Benz", "300 SL"),)
    too_many = ",".join(f"Make{i}:Model{i}" for i in range(101))
    with pytest.raises(ParameterError, match="at most 100"):
        parse_models(too_many)
    with pytest.raises(ParameterError, match="longer than 100"):
        parse_models("Ford:" + "M" * 101)


def test_the_echo_is_the_normalised_request() -> None:
    query = details_query(
        QueryParams(
            "models=Ford:Mustang,Chevrolet:Camaro,Ford:Mustang&manufacturer=%20ford%20"
            "&yearMin=1965&bodyClass=Coupe&dataSource=nhtsa&sortBy=year&sortOrder=desc"
        )
    )
    assert query.echo() == {
        "modelCombos": [
            {"manufacturer": "Chevrolet", "model": "Camaro"},
            {"manufacturer": "Ford", "model": "Mustang"},
        ],
        "filters": {"manufacturer": "ford", "yearMin": 1965, "bodyClass": "Coupe", "dataSource": "nhtsa"},
        "sortBy": "year",
        "sortOrder": "desc",
    }
    assert query.orders == (SortOrder(SortField.YEAR, SortDirection.DESC),)


def test_sort_parameters_are_an_exact_vocabulary() -> None:
    for field in ("manufacturer", "model", "year", "body_class", "instance_count", "data_source"):
        assert details_query(QueryParams(f"sortBy={field}")).sort_by == field
    assert _error(details_query, "sortBy=price").parameter == "sortBy"
    assert _error(details_query, "sortBy=vehicle_id").parameter == "sortBy"
    assert _error(details_query, "sortOrder=DESC").parameter == "sortOrder"
    assert _error(details_query, "sortOrder=up").parameter == "sortOrder"


def test_text_filters_refuse_control_characters_and_long_values() -> None:
    assert _error(details_query, "manufacturer=Fo%00rd").parameter == "manufacturer"
    assert _error(details_query, "bodyClass=" + "x" * 101).parameter == "bodyClass"
    assert _error(combinations_query, "search=a%0Ab").parameter == "search"


@pytest.mark.parametrize("raw", ["0", "21", "-1", "eight", "8.0", "1&count=2"])
def test_instance_count_is_1_to_20(raw: str) -> None:
    assert _error(instance_count, f"count={raw}").parameter == "count"


def test_instance_count_bounds_are_inclusive() -> None:
    assert instance_count(QueryParams("count=1")) == 1
    assert instance_count(QueryParams("count=20")) == 20
