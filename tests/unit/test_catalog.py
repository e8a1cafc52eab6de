from __future__ import annotations

import re

import pytest

from datasources.catalog.curated import (
    BODY_CLASSES,
    EARLIEST_MODEL_YEAR,
    PRESENT_MODEL_YEAR,
    Catalog,
    CatalogError,
    load_catalog,
    parse_catalog,
)

# Names a generator would invent; the catalog holds only names people actually bought.
PLACEHOLDER = re.compile(
    r"(?i)^(model|make|manufacturer|vehicle|car|brand|test|sample|dummy|foo|bar|unknown|placeholder|lorem)"
    r"[\s_-]*\d*$|^(model|make|vehicle|car) [0-9]+$|\?|\bTBD\b|\bN/?A\b",
)

# Real cars whose names look like a generator's; each one checked by hand.
REAL_NUMBERED_NAMES = {("Tesla", "Model 3")}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_the_catalog_is_large_and_spans_eras(catalog: Catalog) -> None:
    models = list(catalog.models())
    assert len(catalog.manufacturers) >= 60
    assert len(models) >= 600
    assert min(model.first_year for _, model in models) < 1920
    assert max(model.last_year for _, model in models) == PRESENT_MODEL_YEAR
    pre_1981 = [model for _, model in models if model.first_year < 1981]
    assert len(pre_1981) >= 400, "collectors need the classics"


def test_defunct_classic_makes_and_every_market_are_present(catalog: Catalog) -> None:
    names = {manufacturer.name for manufacturer in catalog.manufacturers}
    for make in (
        "Studebaker", "Packard", "Plymouth", "DeSoto", "Hudson", "Nash", "AMC", "Pontiac",
        "Oldsmobile", "Mercury", "Triumph", "MG", "Austin-Healey", "Datsun", "Saab", "Edsel", "Tucker",
    ):  # fmt: skip
        assert make in names
    countries = {manufacturer.country for manufacturer in catalog.manufacturers}
    assert {"US", "DE", "GB", "IT", "SE", "FR", "JP", "KR"} <= countries


def test_no_placeholder_names(catalog: Catalog) -> None:
    for manufacturer, model in catalog.models():
        assert not PLACEHOLDER.search(manufacturer.name), manufacturer.name
        if (manufacturer.name, model.name) not in REAL_NUMBERED_NAMES:
            assert not PLACEHOLDER.search(model.name), f"{manufacturer.name} {model.name}"
        assert model.name == model.name.strip()
        assert "  " not in model.name


def test_every_range_is_in_bounds_with_known_body_classes(catalog: Catalog) -> None:
    for _, model in catalog.models():
        for each in model.ranges:
            assert EARLIEST_MODEL_YEAR <= each.first_year <= each.last_year <= PRESENT_MODEL_YEAR
            assert set(each.body_classes) <= set(BODY_CLASSES)
    used = {body for _, model in catalog.models() for each in model.ranges for body in each.body_classes}
    assert used == set(BODY_CLASSES), "a declared body class no model uses is a typo waiting to happen"


@pytest.mark.parametrize(
    ("make", "model", "year", "built", "bodies"),
    [
        ("Tucker", "48", 1948, True, ("Sedan",)),
        ("Tucker", "48", 1949, False, ()),
        ("Ford", "Mustang", 1965, True, ("Coupe", "Convertible", "Fastback")),
        ("Ford", "Mustang", 1964, False, ()),
        ("Chevrolet", "Corvette", 1983, False, ()),  # no 1983 model year: the C4 arrived as a 1984
        ("Chevrolet", "Corvette", 1984, True, ("Targa",)),
        ("Edsel", "Pacer", 1958, True, ("Sedan", "Hardtop", "Convertible")),
        ("Edsel", "Pacer", 1959, False, ()),
        ("DeLorean", "DMC-12", 1981, True, ("Coupe",)),
        ("Volkswagen", "Beetle", 1980, True, ("Convertible",)),  # the sedan ended with 1979
        ("Studebaker", "Avanti", 1965, False, ()),
    ],
)
def test_production_facts(make: str, model: str, year: int, built: bool, bodies: tuple[str, ...]) -> None:
    manufacturer = load_catalog().manufacturer(make)
    assert manufacturer is not None
    entry = manufacturer.model(model)
    assert entry is not None
    assert entry.in_production(year) is built
    assert entry.body_classes_in(year) == bodies


def test_years_keep_the_gaps_between_ranges() -> None:
    text = "= Make | US | mass\nGapped | 1950-1952: Sedan | 1960: Coupe, Sedan\n"
    model = parse_catalog(text).manufacturers[0].models[0]
    assert model.years() == [1950, 1951, 1952, 1960]
    assert model.body_classes_in(1960) == ("Coupe", "Sedan")
    assert (model.first_year, model.last_year) == (1950, 1960)


def test_an_open_range_ends_at_the_present_model_year() -> None:
    model = parse_catalog("= Make | US | mass\nCurrent | 2020-: SUV\n").manufacturers[0].models[0]
    assert model.last_year == PRESENT_MODEL_YEAR


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("= Make | US | mass\nOdd | 1960-1950: Sedan\n", "reversed or out of bounds"),
        ("= Make | US | mass\nOdd | 1960-1961: Saloon\n", "unknown or missing body classes"),
        ("= Make | US | mass\nOdd | 1960-1961\n", "no ':'"),
        ("= Make | US | mass\nOdd | 1870-1871: Sedan\n", "out of bounds"),
        ("= Make | US | mass\nOdd | 1960: Sedan\nOdd | 1961: Sedan\n", "listed twice"),
        ("= Make | US | cheap\nOdd | 1960: Sedan\n", "unknown tier"),
        ("Odd | 1960: Sedan\n", "before any manufacturer"),
        ("= Make | US | mass\n", "has no models"),
        ("= Make | US | mass\nOdd | 19x0: Sedan\n", "bad year range"),
    ],
)
def test_malformed_catalog_lines_are_refused_with_their_line(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text)
