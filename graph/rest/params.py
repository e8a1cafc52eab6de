"""Query parameters of the REST v1 shim, parsed strictly; every error names its parameter.

Rules shared by every endpoint (the OpenAPI document states them too):
- an empty value is the same as leaving the parameter out, as the old backend's
  defaults made it;
- a parameter given more than once is an error: "the last one wins" would
  silently answer a different question than the client asked;
- integers are ASCII digits with an optional minus sign: `int()` alone would
  also take "1_000", " ٣ " or "+5", which no documented client sends;
- unknown parameters are ignored, as the old backend ignored them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from datasources.vehicles.vehicle_filter import (
    MAX_LIST_ITEMS,
    MAX_TEXT_LENGTH,
    MakeModel,
    SortDirection,
    SortField,
    SortOrder,
    VehicleFilter,
)
from resolvers.legacy import RESULT_WINDOW

MAX_SIZE = 100
MAX_PAGE = RESULT_WINDOW
DEFAULT_DETAILS_SIZE = 20
# The picker's page size when only `page` is given; without `page` and `size` it answers every
# manufacturer, because a legacy picker that does not page must not lose makes.
DEFAULT_COMBINATIONS_SIZE = 50
MIN_COUNT, MAX_COUNT, DEFAULT_COUNT = 1, 20, 8
MIN_YEAR, MAX_YEAR = 0, 9999
MAX_MODELS = MAX_LIST_ITEMS

SORT_FIELDS: dict[str, SortField] = {
    "manufacturer": SortField.MANUFACTURER,
    "model": SortField.MODEL,
    "year": SortField.YEAR,
    "body_class": SortField.BODY_CLASS,
    "instance_count": SortField.INSTANCE_COUNT,
    "data_source": SortField.DATA_SOURCE,
}
SORT_ORDERS = ("asc", "desc")
# The old backend's order when no sortBy is given: newest model year first within a model.
DEFAULT_ORDER = (
    SortOrder(SortField.MANUFACTURER, SortDirection.ASC),
    SortOrder(SortField.MODEL, SortDirection.ASC),
    SortOrder(SortField.YEAR, SortDirection.DESC),
)

_INTEGER = re.compile(r"-?[0-9]+")
# Longer digit strings are out of every range; not converting them bounds the work.
_MAX_DIGITS = 12
_SHOWN_LENGTH = 40


class ParameterError(ValueError):
    """A query parameter the client must correct."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True, slots=True)
class CombinationsQuery:
    search: str | None
    # None: neither `page` nor `size` was given, so the answer holds every manufacturer.
    paging: Paging | None


@dataclass(frozen=True, slots=True)
class DetailsQuery:
    vehicle_filter: VehicleFilter
    sort_by: str | None
    sort_order: str
    paging: Paging

    @property
    def orders(self) -> tuple[SortOrder, ...]:
        if self.sort_by is None:
            return DEFAULT_ORDER
        return (SortOrder(SORT_FIELDS[self.sort_by], SortDirection(self.sort_order)),)

    def echo(self) -> dict[str, Any]:
        """What was applied, in the old backend's `query` shape, after trimming and de-duplication."""
        f = self.vehicle_filter
        filters: dict[str, Any] = {
            "manufacturer": f.manufacturer,
            "model": f.model,
            "yearMin": f.year_min,
            "yearMax": f.year_max,
            "bodyClass": f.body_classes[0] if f.body_classes else None,
            "dataSource": f.data_sources[0] if f.data_sources else None,
        }
        return {
            "modelCombos": [{"manufacturer": m.manufacturer, "model": m.model} for m in f.models],
            "filters": {name: value for name, value in filters.items() if value is not None},
            "sortBy": self.sort_by,
            "sortOrder": self.sort_order,
        }


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= _SHOWN_LENGTH else raw[:_SHOWN_LENGTH] + "…")


def _single(query: QueryParams, name: str) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        raise ParameterError(name, f"{name} is given {len(values)} times; give it at most once")
    if not values:
        return None
    value = values[0].strip()
    return value or None


def _integer(query: QueryParams, name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    raw = _single(query, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise ParameterError(name, f"{name} must be an integer, got {_shown(raw)}")
    if len(raw.lstrip("-")) > _MAX_DIGITS or not minimum <= int(raw) <= maximum:
        raise ParameterError(name, f"{name} must be between {minimum} and {maximum}, got {_shown(raw)}")
    return int(raw)


def _required_integer(query: QueryParams, name: str, *, default: int, minimum: int, maximum: int) -> int:
    value = _integer(query, name, default=default, minimum=minimum, maximum=maximum)
    assert value is not None  # a default was given
    return value


def _checked_text(name: str, value: str) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        raise ParameterError(name, f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ParameterError(name, f"{name} contains control characters")
    return value


def _text(query: QueryParams, name: str) -> str | None:
    raw = _single(query, name)
    return None if raw is None else _checked_text(name, raw)


def _paging(query: QueryParams, *, default_size: int) -> Paging:
    return Paging(
        page=_required_integer(query, "page", default=1, minimum=1, maximum=MAX_PAGE),
        size=_required_integer(query, "size", default=default_size, minimum=1, maximum=MAX_SIZE),
    )


def parse_models(raw: str | None) -> tuple[MakeModel, ...]:
    """`Ford:Mustang,Chevrolet:Camaro` → pairs; a single malformed item rejects the whole list."""
    if raw is None:
        return ()
    items = raw.split(",")
    if len(items) > MAX_MODELS:
        raise ParameterError("models", f"models takes at most {MAX_MODELS} pairs, got {len(items)}")
    pairs = []
    for item in items:
        manufacturer, model = (part.strip() for part in item.partition(":")[::2])
        if item.count(":") != 1 or not manufacturer or not model:
            raise ParameterError(
                "models",
                'models must be comma-separated "Manufacturer:Model" pairs; '
                f"{_shown(item.strip())} is not one",
            )
        pairs.append(MakeModel(_checked_text("models", manufacturer), _checked_text("models", model)))
    return tuple(pairs)


def combinations_query(query: QueryParams) -> CombinationsQuery:
    paged = _single(query, "page") is not None or _single(query, "size") is not None
    return CombinationsQuery(
        search=_text(query, "search"),
        paging=_paging(query, default_size=DEFAULT_COMBINATIONS_SIZE) if paged else None,
    )


def details_query(query: QueryParams) -> DetailsQuery:
    models = parse_models(_single(query, "models"))
    manufacturer = _text(query, "manufacturer")
    model = _text(query, "model")
    year_min = _integer(query, "yearMin", default=None, minimum=MIN_YEAR, maximum=MAX_YEAR)
    year_max = _integer(query, "yearMax", default=None, minimum=MIN_YEAR, maximum=MAX_YEAR)
    if year_min is not None and year_max is not None and year_min > year_max:
        raise ParameterError("yearMin", f"yearMin ({year_min}) must not be greater than yearMax ({year_max})")
    body_class = _text(query, "bodyClass")
    data_source = _text(query, "dataSource")
    sort_by = _single(query, "sortBy")
    if sort_by is not None and sort_by not in SORT_FIELDS:
        raise ParameterError(
            "sortBy", f"sortBy must be one of {', '.join(SORT_FIELDS)}; got {_shown(sort_by)}"
        )
    sort_order = _single(query, "sortOrder") or "asc"
    if sort_order not in SORT_ORDERS:
        raise ParameterError("sortOrder", f"sortOrder must be asc or desc, got {_shown(sort_order)}")
    paging = _paging(query, default_size=DEFAULT_DETAILS_SIZE)
    if paging.page * paging.size > RESULT_WINDOW:
        raise ParameterError(
            "page",
            f"page {paging.page} of size {paging.size} reaches past the first {RESULT_WINDOW:,} results; "
            "narrow the query with filters, or page with GraphQL `vehicles(after:)` cursors",
        )
    vehicle_filter = VehicleFilter(
        models=models,
        manufacturer=manufacturer,
        model=model,
        year_min=year_min,
        year_max=year_max,
        body_classes=(body_class,) if body_class else (),
        data_sources=(data_source,) if data_source else (),
    ).normalised()
    return DetailsQuery(vehicle_filter=vehicle_filter, sort_by=sort_by, sort_order=sort_order, paging=paging)


def instance_count(query: QueryParams) -> int:
    return _required_integer(query, "count", default=DEFAULT_COUNT, minimum=MIN_COUNT, maximum=MAX_COUNT)
