"""Reading a user's NDJSON or CSV file of vehicle records through validation, streamed.

Every line is judged on its own: a bad line is skipped and reported (line
number, reason, the raw text) and never takes a good neighbour with it. The
first occurrence of a vehicle_id wins; later ones are reported as duplicates,
so loading a file is deterministic whatever its order of mistakes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

import orjson

from datasources.vehicles.vehicle_record import VehicleRecord, make_model_year

FileFormat = Literal["ndjson", "csv"]

REQUIRED_FIELDS: Final = (
    "vehicle_id",
    "manufacturer",
    "model",
    "year",
    "body_class",
    "data_source",
    "instance_count",
)
OPTIONAL_FIELDS: Final = ("make_model_year",)
KNOWN_FIELDS: Final = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)

EARLIEST_YEAR: Final = 1885  # Benz's Patent-Motorwagen; nothing older is a car
MAX_INSTANCE_COUNT: Final = 100_000_000
MAX_LENGTHS: Final[dict[str, int]] = {
    "vehicle_id": 64,
    "manufacturer": 100,
    "model": 200,
    "body_class": 50,
    "data_source": 50,
    "make_model_year": 320,
}
VEHICLE_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
DATA_SOURCE_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# A rejected line is kept for the user to fix; a multi-megabyte line is cut, not copied whole.
MAX_RAW_KEPT: Final = 2_000


class RecordInvalid(ValueError):
    """One record broke a rule; the message is the reason shown to the user."""


class RecordFileError(Exception):
    """The file as a whole cannot be read (unknown format, CSV header without required columns)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str
    raw: str

    def to_json(self) -> bytes:
        return orjson.dumps({"line": self.line, "reason": self.reason, "raw": self.raw[:MAX_RAW_KEPT]})


@dataclass(slots=True)
class ReadStats:
    read: int = 0
    valid: int = 0
    rejected: int = 0
    duplicates: int = 0  # counted in `rejected` too


RejectSink = Callable[[Rejection], None]


def latest_model_year() -> int:
    # Manufacturers announce model years well ahead of the calendar.
    return date.today().year + 2


def _text(source: Mapping[str, Any], name: str) -> str:
    value = source[name]
    if not isinstance(value, str):
        raise RecordInvalid(f"{name} must be a string, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise RecordInvalid(f"{name} is empty")
    if len(value) > MAX_LENGTHS[name]:
        raise RecordInvalid(f"{name} is longer than {MAX_LENGTHS[name]} characters")
    if not value.isprintable():
        raise RecordInvalid(f"{name} contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordInvalid(f"{name} is not valid UTF-8") from None
    return value


def _integer(source: Mapping[str, Any], name: str, *, from_text: bool) -> int:
    value = source[name]
    if from_text and isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        return int(value)
    # bool is an int subclass in Python; `true` is not a year.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise RecordInvalid(f"{name} must be an integer, got {value!r}"[:200])


def validate_record(
    source: Mapping[str, Any], *, from_text: bool = False, max_year: int | None = None
) -> VehicleRecord:
    """A VehicleRecord from one parsed line, or RecordInvalid naming the first broken rule.

    `from_text` accepts integers written as text, as every CSV value is.
    """
    missing = [name for name in REQUIRED_FIELDS if source.get(name) in (None, "")]
    if missing:
        raise RecordInvalid(f"missing required field(s): {', '.join(missing)}")
    unknown = sorted(str(name) for name in source if name not in KNOWN_FIELDS)
    if unknown:
        raise RecordInvalid(f"unknown field(s): {', '.join(unknown)}")

    vehicle_id = _text(source, "vehicle_id")
    if not VEHICLE_ID_PATTERN.fullmatch(vehicle_id):
        raise RecordInvalid("vehicle_id may hold only letters, digits and _ . : - (starting alphanumeric)")
    manufacturer = _text(source, "manufacturer")
    model = _text(source, "model")
    body_class = _text(source, "body_class")
    data_source = _text(source, "data_source")
    if not DATA_SOURCE_PATTERN.fullmatch(data_source):
        raise RecordInvalid("data_source may hold only lowercase letters, digits and _ . -")

    year = _integer(source, "year", from_text=from_text)
    last = max_year if max_year is not None else latest_model_year()
    if not EARLIEST_YEAR <= year <= last:
        raise RecordInvalid(f"year {year} is outside {EARLIEST_YEAR}..{last}")
    instance_count = _integer(source, "instance_count", from_text=from_text)
    if not 0 <= instance_count <= MAX_INSTANCE_COUNT:
        raise RecordInvalid(f"instance_count {instance_count} is outside 0..{MAX_INSTANCE_COUNT}")

    expected_key = make_model_year(manufacturer, model, year)
    if source.get("make_model_year") not in (None, ""):
        given = _text(source, "make_model_year")
        if given != expected_key:
            raise RecordInvalid(f"make_model_year {given!r} does not match {expected_key!r}")

    return VehicleRecord(
        vehicle_id=vehicle_id,
        manufacturer=manufacturer,
        model=model,
        year=year,
        body_class=body_class,
        data_source=data_source,
        instance_count=instance_count,
        make_model_year=expected_key,
    )


def detect_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl", ".json"):
        return "ndjson"
    if suffix == ".csv":
        return "csv"
    raise RecordFileError(f"cannot tell the format of {path.name}: use a .ndjson, .jsonl or .csv file")


_Parsed = tuple[int, str, Mapping[str, Any] | RecordInvalid]


def _ndjson_lines(path: Path) -> Iterator[_Parsed]:
    with path.open("rb") as handle:
        for number, raw_bytes in enumerate(handle, start=1):
            raw = raw_bytes.decode("utf-8", errors="surrogateescape").rstrip("\r\n")
            if not raw.strip():
                continue
            try:
                parsed = orjson.loads(raw_bytes)
            except orjson.JSONDecodeError as error:
                yield number, raw, RecordInvalid(f"invalid JSON: {error}")
                continue
            if not isinstance(parsed, dict):
                yield number, raw, RecordInvalid(f"expected a JSON object, got {type(parsed).__name__}")
                continue
            yield number, raw, parsed


def _csv_rows(path: Path) -> Iterator[_Parsed]:
    # surrogateescape keeps a bad byte from aborting the file; the field holding it is rejected.
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lstrip("\ufeff") for name in next(reader)]
        except StopIteration:
            return
        missing = [name for name in REQUIRED_FIELDS if name not in header]
        if missing:
            raise RecordFileError(f"the CSV header lacks required column(s): {', '.join(missing)}")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            number = reader.line_num
            raw = _csv_raw(row)
            if len(row) != len(header):
                yield number, raw, RecordInvalid(f"expected {len(header)} columns, got {len(row)}")
                continue
            yield number, raw, dict(zip(header, row, strict=True))


def _csv_raw(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


def read_record_file(
    path: Path,
    *,
    stats: ReadStats,
    on_reject: RejectSink,
    file_format: FileFormat | None = None,
    max_year: int | None = None,
) -> Iterator[VehicleRecord]:
    """Yield the file's valid records in file order; report every other line to `on_reject`.

    `stats` is updated as the stream is consumed, so it is complete once the iterator is.
    """
    kind = file_format or detect_format(path)
    lines = _ndjson_lines(path) if kind == "ndjson" else _csv_rows(path)
    first_seen: dict[str, int] = {}
    for number, raw, parsed in lines:
        stats.read += 1
        try:
            if isinstance(parsed, RecordInvalid):
                raise parsed
            record = validate_record(parsed, from_text=kind == "csv", max_year=max_year)
            first = first_seen.get(record.vehicle_id)
            if first is not None:
                stats.duplicates += 1
                raise RecordInvalid(f"duplicate vehicle_id {record.vehicle_id!r} (first on line {first})")
        except RecordInvalid as invalid:
            stats.rejected += 1
            on_reject(Rejection(line=number, reason=str(invalid), raw=raw))
            continue
        first_seen[record.vehicle_id] = number
        stats.valid += 1
        yield record


class RejectFile:
    """Rejections written to an NDJSON file, one object per line.

    The file is truncated on open, so after a clean run it is empty rather than
    still holding the previous run's complaints.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: io.BufferedWriter | None = path.open("wb")

    def __call__(self, rejection: Rejection) -> None:
        if self._handle is None:
            raise ValueError("the reject file is closed")
        self._handle.write(rejection.to_json() + b"\n")
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RejectFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
