"""The transport-agnostic vehicle filter and sort, and their Elasticsearch translation.

User text never reaches a query parser: partial matches use `match_phrase_prefix`
and fuzzy `match` on analysed fields, exact ones use `term` with
`case_insensitive`, so Lucene and regex metacharacters are plain characters.

Matches inside a word ('stang' finds Mustang, as the old backend's wildcard
filtering did) are a `wildcard` query `*text*` on the `.keyword` sub-field,
case-insensitive, with the user's `*`, `?` and backslashes escaped. The leading wildcard
is bounded twice: it only runs for text of at least INFIX_MIN_LENGTH characters
(shorter text matches whole words and word prefixes only), and it walks the
field's distinct values (about 1,600 models and 120 manufacturers), not its
documents. The cost on the full dataset is measured by `scripts/measure_infix.py`
(docs/partial-matches.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Bounds that keep one request's query small whatever the client sends.
MAX_SEARCH_TERMS = 8
MAX_TEXT_LENGTH = 100
MAX_LIST_ITEMS = 100
# Any character below U+0020, found by one regular expression rather than a loop over the characters.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f]")
# Shorter text would match most names anywhere ('a', 'er'); it matches word prefixes only.
INFIX_MIN_LENGTH = 3


class InvalidFilter(ValueError):
    """A filter the user must correct; the message names the argument."""


class SortField(Enum):
    MANUFACTURER = "manufacturer.keyword"
    MODEL = "model.keyword"
    YEAR = "year"
    BODY_CLASS = "body_class.keyword"
    INSTANCE_COUNT = "instance_count"
    DATA_SOURCE = "data_source"


class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class SortOrder:
    field: SortField
    direction: SortDirection = SortDirection.ASC


@dataclass(frozen=True, slots=True)
class MakeModel:
    manufacturer: str
    model: str


@dataclass(frozen=True, slots=True)
class VehicleFilter:
    models: tuple[MakeModel, ...] = ()
    manufacturer: str | None = None
    model: str | None = None
    search: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    body_classes: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()

    def normalised(self) -> VehicleFilter:
        """Trimmed, validated, order-independent: the form cache keys are built from."""
        if self.year_min is not None and self.year_max is not None and self.year_min > self.year_max:
            raise InvalidFilter(
                f"yearMin ({self.year_min}) must not be greater than yearMax ({self.year_max})"
            )
        for name, items in (
            ("models", self.models),
            ("bodyClasses", self.body_classes),
            ("dataSources", self.data_sources),
        ):
            if len(items) > MAX_LIST_ITEMS:
                raise InvalidFilter(f"{name} takes at most {MAX_LIST_ITEMS} items")
        pairs = sorted(
            {MakeModel(_text(m.manufacturer, "manufacturer"), _text(m.model, "model")) for m in self.models},
            key=lambda m: (m.manufacturer.lower(), m.model.lower()),
        )
        return VehicleFilter(
            models=tuple(pairs),
            manufacturer=_optional_text(self.manufacturer, "manufacturer"),
            model=_optional_text(self.model, "model"),
            search=_optional_text(self.search, "search"),
            year_min=self.year_min,
            year_max=self.year_max,
            body_classes=tuple(sorted({_text(b, "bodyClasses") for b in self.body_classes})),
            data_sources=tuple(sorted({_text(d, "dataSources") for d in self.data_sources})),
        )

    def cache_key(self) -> list[Any]:
        f = self.normalised()
        return [
            [[m.manufacturer.lower(), m.model.lower()] for m in f.models],
            (f.manufacturer or "").lower(),
            (f.model or "").lower(),
            (f.search or "").lower(),
            f.year_min,
            f.year_max,
            [b.lower() for b in f.body_classes],
            list(f.data_sources),
        ]


def _text(value: str, name: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidFilter(f"{name} must not be empty")
    if len(stripped) > MAX_TEXT_LENGTH:
        raise InvalidFilter(f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    if _CONTROL_CHARACTER.search(stripped):
        raise InvalidFilter(f"{name} contains control characters")
    return stripped


def _optional_text(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    return _text(value, name)


def _keyword_equals(field_name: str, value: str) -> dict[str, Any]:
    return {"term": {field_name: {"value": value, "case_insensitive": True}}}


def _escape_wildcard(text: str) -> str:
    return "".join("\\" + ch if ch in "\\*?" else ch for ch in text)


def infix_match(field_name: str, text: str) -> dict[str, Any] | None:
    """Text anywhere inside the keyword value, any case; None when the text is too short."""
    if len(text) < INFIX_MIN_LENGTH:
        return None
    pattern = f"*{_escape_wildcard(text)}*"
    return {"wildcard": {field_name: {"value": pattern, "case_insensitive": True}}}


def _partial_text(field_name: str, value: str) -> dict[str, Any]:
    """Exact (case-insensitive), word-prefix or infix match: 'merc' finds Mercury and
    Mercedes-Benz, 'stang' finds Mustang."""
    should = [
        _keyword_equals(f"{field_name}.keyword", value),
        {"match_phrase_prefix": {field_name: {"query": value, "max_expansions": 50}}},
    ]
    infix = infix_match(f"{field_name}.keyword", value)
    if infix is not None:
        should.append(infix)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _fuzzy_search(text: str) -> dict[str, Any]:
    """Every word must match the manufacturer or the model, allowing typos, prefixes and infixes."""
    words = text.split()[:MAX_SEARCH_TERMS]
    clauses = []
    for word in words:
        should: list[dict[str, Any]] = [
            {
                "multi_match": {
                    "query": word,
                    "fields": ["manufacturer^2", "model"],
                    "fuzziness": "AUTO",
                    "prefix_length": 1,
                }
            },
            {
                "multi_match": {
                    "query": word,
                    "fields": ["manufacturer", "model"],
                    "type": "phrase_prefix",
                }
            },
        ]
        for field_name in ("manufacturer.keyword", "model.keyword"):
            infix = infix_match(field_name, word)
            if infix is not None:
                should.append(infix)
        clauses.append({"bool": {"should": should, "minimum_should_match": 1}})
    return {"bool": {"must": clauses}}


def build_query(vehicle_filter: VehicleFilter | None) -> dict[str, Any]:
    """The Elasticsearch query for a (normalised) filter."""
    if vehicle_filter is None:
        return {"match_all": {}}
    f = vehicle_filter.normalised()
    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if f.models:
        filters.append(
            {
                "bool": {
                    "should": [
                        {
                            "bool": {
                                "filter": [
                                    _keyword_equals("manufacturer.keyword", pair.manufacturer),
                                    _keyword_equals("model.keyword", pair.model),
                                ]
                            }
                        }
                        for pair in f.models
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if f.manufacturer:
        filters.append(_partial_text("manufacturer", f.manufacturer))
    if f.model:
        filters.append(_partial_text("model", f.model))
    if f.search:
        must.append(_fuzzy_search(f.search))
    if f.year_min is not None or f.year_max is not None:
        bounds = {k: v for k, v in (("gte", f.year_min), ("lte", f.year_max)) if v is not None}
        filters.append({"range": {"year": bounds}})
    if f.body_classes:
        filters.append(
            {
                "bool": {
                    "should": [_keyword_equals("body_class.keyword", b) for b in f.body_classes],
                    "minimum_should_match": 1,
                }
            }
        )
    if f.data_sources:
        filters.append({"terms": {"data_source": list(f.data_sources)}})
    if not (must or filters):
        return {"match_all": {}}
    return {"bool": {"must": must, "filter": filters}}


def build_sort(orders: tuple[SortOrder, ...], *, relevance: bool) -> list[dict[str, Any]]:
    """The requested order plus `vehicle_id` as the tiebreak that makes pages stable."""
    sort: list[dict[str, Any]] = [{o.field.value: {"order": o.direction.value}} for o in orders]
    if not sort:
        sort = (
            [{"_score": {"order": "desc"}}]
            if relevance
            else [
                {"manufacturer.keyword": {"order": "asc"}},
                {"model.keyword": {"order": "asc"}},
                {"year": {"order": "asc"}},
            ]
        )
    sort.append({"vehicle_id": {"order": "asc"}})
    return sort
