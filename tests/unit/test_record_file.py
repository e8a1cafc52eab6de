from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from datasources.catalog.record_file import (
    ReadStats,
    RecordFileError,
    RecordInvalid,
    RejectFile,
    Rejection,
    latest_model_year,
    read_record_file,
    validate_record,
)
from datasources.vehicles.vehicle_record import VehicleRecord


def good(vehicle_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "vehicle_id": vehicle_id,
        "manufacturer": "Ford",
        "model": "Mustang",
        "year": 1965,
        "body_class": "Fastback",
        "data_source": "classic_registry",
        "instance_count": 42,
    }
    record.update(changes)
    return record


def read(path: Path, **options: Any) -> tuple[list[VehicleRecord], list[Rejection], ReadStats]:
    rejections: list[Rejection] = []
    stats = ReadStats()
    records = list(read_record_file(path, stats=stats, on_reject=rejections.append, **options))
    return records, rejections, stats


MALFORMED_NDJSON_LINES = [
    json.dumps(good("ok-1")),  # 1
    '{"vehicle_id": "broken", "manufacturer": ',  # 2 bad JSON
    json.dumps({k: v for k, v in good("no-model").items() if k != "model"}),  # 3 missing field
    json.dumps(good("ok-2", make_model_year="Ford|Mustang|1965")),  # 4 consistent key given
    json.dumps(good("str-year", year="1965")),  # 5 wrong type
    json.dumps(good("future", year=3024)),  # 6 year out of range
    "",  # 7 blank: skipped, not a rejection
    json.dumps(good("ok-1", model="Duplicate")),  # 8 duplicate of line 1
    json.dumps(good("ok-3", year=1908, model="Model T", body_class="Roadster")),  # 9
    "[1, 2, 3]",  # 10 not an object
    json.dumps(good("bool-count", instance_count=True)),  # 11 bool is not an integer
    json.dumps(good("bad key", model="Mustang")),  # 12 vehicle_id format
    json.dumps(good("long", model="M" * 201)),  # 13 too long
    json.dumps(good("extra", color="red")),  # 14 unknown field
    json.dumps(good("mismatch", make_model_year="Ford|Mustang|1966")),  # 15 inconsistent key
    json.dumps(good("negative", instance_count=-1)),  # 16
    json.dumps(good("blank-make", manufacturer="   ")),  # 17
    json.dumps(good("ok-4", manufacturer="Citroën", model="DS", year=1970, body_class="Sedan")),  # 18
]


def test_ndjson_keeps_exactly_the_good_lines_and_reports_exactly_the_bad(tmp_path: Path) -> None:
    path = tmp_path / "records.ndjson"
    path.write_text("\n".join(MALFORMED_NDJSON_LINES) + "\n", encoding="utf-8")
    records, rejections, stats = read(path)

    assert [record.vehicle_id for record in records] == ["ok-1", "ok-2", "ok-3", "ok-4"]
    assert records[0].make_model_year == "Ford|Mustang|1965"
    assert records[3].manufacturer == "Citroën"
    reasons = {rejection.line: rejection.reason for rejection in rejections}
    assert sorted(reasons) == [2, 3, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16, 17]
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "missing required field(s): model"
    assert reasons[5] == "year must be an integer, got '1965'"
    assert reasons[6].startswith("year 3024 is outside 1885..")
    assert reasons[8] == "duplicate vehicle_id 'ok-1' (first on line 1)"
    assert reasons[10] == "expected a JSON object, got list"
    assert reasons[11] == "instance_count must be an integer, got True"
    assert reasons[12].startswith("vehicle_id may hold only")
    assert reasons[13] == "model is longer than 200 characters"
    assert reasons[14] == "unknown field(s): color"
    assert reasons[15] == "make_model_year 'Ford|Mustang|1966' does not match 'Ford|Mustang|1965'"
    assert reasons[16].startswith("instance_count -1 is outside")
    assert reasons[17] == "manufacturer is empty"
    raw_by_line = {rejection.line: rejection.raw for rejection in rejections}
    assert raw_by_line[2] == MALFORMED_NDJSON_LINES[1]
    assert stats == ReadStats(read=17, valid=4, rejected=13, duplicates=1)


def test_csv_goes_through_the_same_rules(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(
        "vehicle_id,manufacturer,model,year,body_class,data_source,instance_count\n"
        "c-1,Chevrolet,Corvette,1963,Coupe,hagerty_valuation,12\n"
        "c-2,Chevrolet,Corvette,nineteen,Coupe,hagerty_valuation,12\n"
        "c-3,Chevrolet,Corvette,1963,Coupe\n"
        '"c-4","Chevrolet","Bel Air, Sport Coupe",1957,Hardtop,auction_results,3\n'
        "\n"
        "c-1,Chevrolet,Corvette,1964,Coupe,hagerty_valuation,12\n"
        "c-5,Chevrolet,Corvette,3024,Coupe,hagerty_valuation,12\n",
        encoding="utf-8",
    )
    records, rejections, stats = read(path)
    assert [(r.vehicle_id, r.model, r.year) for r in records] == [
        ("c-1", "Corvette", 1963),
        ("c-4", "Bel Air, Sport Coupe", 1957),
    ]
    assert [(r.line, r.reason) for r in rejections] == [
        (3, "year must be an integer, got 'nineteen'"),
        (4, "expected 7 columns, got 5"),
        (7, "duplicate vehicle_id 'c-1' (first on line 2)"),
        (8, f"year 3024 is outside 1885..{latest_model_year()}"),
    ]
    assert rejections[1].raw == "c-3,Chevrolet,Corvette,1963,Coupe"
    assert stats == ReadStats(read=6, valid=2, rejected=4, duplicates=1)


def test_csv_without_a_required_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("vehicle_id,manufacturer,model\nx,Ford,Mustang\n", encoding="utf-8")
    with pytest.raises(RecordFileError, match="lacks required column"):
        read(path)


def test_a_bad_byte_costs_one_line_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "records.ndjson"
    path.write_bytes(
        orjson.dumps(good("before"))
        + b"\n"
        + orjson.dumps(good("bad-bytes")).replace(b"Mustang", b"Must\xffang")
        + b"\n"
        + orjson.dumps(good("after"))
        + b"\n"
    )
    records, rejections, _ = read(path)
    assert [record.vehicle_id for record in records] == ["before", "after"]
    assert [rejection.line for rejection in rejections] == [2]


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    path.write_bytes(b"")
    with pytest.raises(RecordFileError, match="cannot tell the format"):
        read(path)


def test_the_year_bound_follows_the_given_latest_year() -> None:
    assert validate_record(good("x", year=2030), max_year=2030).year == 2030
    with pytest.raises(RecordInvalid, match=r"outside 1885\.\.2029"):
        validate_record(good("x", year=2030), max_year=2029)
    with pytest.raises(RecordInvalid, match="outside 1885"):
        validate_record(good("x", year=1884))


def test_text_integers_are_accepted_only_from_text_formats() -> None:
    assert validate_record(good("x", year="1965", instance_count=" 7 "), from_text=True).instance_count == 7
    with pytest.raises(RecordInvalid, match="must be an integer"):
        validate_record(good("x", year="1965"))
    with pytest.raises(RecordInvalid, match="must be an integer"):
        validate_record(good("x", year=1965.0))


def test_reject_file_holds_one_json_object_per_rejection(tmp_path: Path) -> None:
    path = tmp_path / "rejects.ndjson"
    path.write_text("stale content from a previous run\n", encoding="utf-8")
    with RejectFile(path) as rejects:
        rejects(Rejection(line=3, reason="year must be an integer, got 'x'", raw='{"year": "x"}'))
        rejects(Rejection(line=9, reason="invalid JSON", raw="x" * 5_000))
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert lines[0] == {"line": 3, "reason": "year must be an integer, got 'x'", "raw": '{"year": "x"}'}
    assert lines[1]["line"] == 9
    assert len(lines[1]["raw"]) == 2_000
    assert rejects.count == 2
