"""decode_vin: whether a string is a valid VIN and why not, and what it says.

Works for any real-world VIN, not only generated ones: validity is ISO 3779
(17 characters, no I, O or Q) plus the 49 CFR 565 check digit; the WMI gives
the country and region for every VIN and the manufacturer where it is known;
position 10 gives the model year, placed in its 30-year cycle by position 7.
Shorter numbers are reported as not ISO 3779, with the historic formats they fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from datasources.vin.check_digit import (
    CHECK_DIGIT_POSITION,
    FORBIDDEN_LETTERS,
    TRANSLITERATION,
    VIN_LENGTH,
    check_digit,
)
from datasources.vin.legacy_formats import formats_matching
from datasources.vin.model_year import candidate_years, resolve_year
from datasources.vin.wmi import describe_wmi

# Separators people type or print inside VINs; they carry no information.
_SEPARATORS: Final = str.maketrans("", "", " -_.\t")
_WMI_LENGTH: Final = 3


@dataclass(frozen=True, slots=True)
class VinDecoding:
    input: str
    vin: str  # normalised: upper case, separators removed
    valid: bool
    errors: tuple[str, ...]
    notes: tuple[str, ...]
    iso_3779: bool  # 17 characters of the VIN alphabet (the check digit aside)
    wmi: str | None
    manufacturer: str | None
    country: str | None
    region: str | None
    vds: str | None  # positions 4-9
    vis: str | None  # positions 10-17
    check_digit: str | None  # position 9 as written
    expected_check_digit: str | None
    check_digit_valid: bool | None
    model_year: int | None  # resolved with the position-7 rule
    model_year_candidates: tuple[int, ...]
    plant_code: str | None
    serial_number: str | None
    legacy_formats: tuple[str, ...]


def _alphabet_errors(vin: str) -> list[str]:
    errors = []
    for position, char in enumerate(vin, start=1):
        if char in FORBIDDEN_LETTERS:
            errors.append(
                f"alphabet: '{char}' at position {position} is never used in a VIN"
                " (I, O and Q read as 1 and 0)"
            )
        elif char not in TRANSLITERATION:
            errors.append(f"alphabet: '{char}' at position {position} is not a VIN character (A-Z, 0-9)")
    return errors


def decode_vin(vin: str) -> VinDecoding:
    text = vin.strip().upper().translate(_SEPARATORS)
    errors: list[str] = []
    notes: list[str] = []
    if not text:
        errors.append("length: empty; a VIN has 17 characters")
    elif len(text) != VIN_LENGTH:
        errors.append(f"length: {len(text)} characters; an ISO 3779 VIN has 17")
    alphabet_errors = _alphabet_errors(text)
    errors.extend(alphabet_errors)
    iso_3779 = len(text) == VIN_LENGTH and not alphabet_errors

    legacy = formats_matching(text) if text and len(text) < VIN_LENGTH else ()
    if text and len(text) < VIN_LENGTH:
        notes.append(
            "not an ISO 3779 VIN: the 17-character VIN is mandatory from model year 1981; "
            "earlier vehicles carry shorter manufacturer-specific serial numbers"
            + (f" (this one fits: {', '.join(legacy)})" if legacy else "")
        )

    wmi_info = describe_wmi(text[:_WMI_LENGTH], maker_code=text[11:14]) if iso_3779 else None
    written = expected = None
    check_ok: bool | None = None
    year: int | None = None
    candidates: tuple[int, ...] = ()
    if iso_3779:
        written = text[CHECK_DIGIT_POSITION - 1]
        expected = check_digit(text)
        check_ok = written == expected
        if not check_ok:
            errors.append(f"check digit: position 9 is '{written}', expected '{expected}'")
            if wmi_info is not None and wmi_info.region != "North America":
                notes.append(
                    "the check digit is mandatory for vehicles sold in North America; "
                    "vehicles built for other markets often do not carry one"
                )
        candidates = candidate_years(text[9])
        year = resolve_year(text[9], text[6])
        if not candidates:
            notes.append(f"position 10 '{text[9]}' is not a model-year code")
        elif wmi_info is not None and wmi_info.region != "North America":
            notes.append(
                "model year assumes the North American position-7 rule; other markets may not follow it"
            )
        if wmi_info is not None and wmi_info.small_manufacturer:
            notes.append(
                f"small manufacturer: positions 12-14 ('{text[11:14]}') identify it within WMI {text[:3]}"
            )

    return VinDecoding(
        input=vin,
        vin=text,
        valid=not errors,
        errors=tuple(errors),
        notes=tuple(notes),
        iso_3779=iso_3779,
        wmi=wmi_info.wmi if wmi_info else None,
        manufacturer=wmi_info.manufacturer if wmi_info else None,
        country=wmi_info.country if wmi_info else None,
        region=wmi_info.region if wmi_info else None,
        vds=text[3:9] if iso_3779 else None,
        vis=text[9:] if iso_3779 else None,
        check_digit=written,
        expected_check_digit=expected,
        check_digit_valid=check_ok,
        model_year=year,
        model_year_candidates=candidates,
        plant_code=text[10] if iso_3779 else None,
        serial_number=text[11:] if iso_3779 else None,
        legacy_formats=legacy,
    )
