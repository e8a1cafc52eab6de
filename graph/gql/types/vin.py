"""VIN instances (computed, never stored) and VIN decodings."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin import VinDecoding as Decoding
from datasources.vin import VinInstance as Instance

if TYPE_CHECKING:
    from graph.gql.types.catalog import Vehicle


@strawberry.type(
    description="One example car of a vehicle record: deterministic for the vehicle, never stored."
)
class VinInstance:
    index: int
    vin: str
    vin_format: str = strawberry.field(
        description="'ISO 3779' from model year 1981, else the historic format."
    )
    condition: str = strawberry.field(description="Concours, Excellent, Good, Fair or Project.")
    condition_rating: float = strawberry.field(
        description=(
            "1.0 (project) to 5.0 (concours), one decimal; the same number in REST v1. "
            "Rounded half up it is the old backend's integer grade (docs/rest-compatibility.md)."
        )
    )
    mileage: int
    mileage_verified: bool
    state: str = strawberry.field(description="Registration state (USPS code).")
    registration_status: str
    title_status: str
    exterior_color: str
    interior_color: str
    engine: str
    transmission: str
    drivetrain: str
    options: list[str]
    matching_numbers: bool
    previous_owners: int
    last_service_date: date
    assembly_plant: str
    estimated_value: int = strawberry.field(description="US dollars.")
    record: strawberry.Private[VehicleRecord]

    @strawberry.field(description="The vehicle record this instance belongs to.")
    def vehicle(self) -> Annotated[Vehicle, strawberry.lazy("graph.gql.types.catalog")]:
        from graph.gql.types.catalog import Vehicle

        return Vehicle.from_record(self.record)

    @classmethod
    def from_instance(cls, instance: Instance, *, record: VehicleRecord) -> VinInstance:
        return cls(
            index=instance.index,
            vin=instance.vin,
            vin_format=instance.vin_format,
            condition=instance.condition,
            condition_rating=instance.condition_rating,
            mileage=instance.mileage,
            mileage_verified=instance.mileage_verified,
            state=instance.state,
            registration_status=instance.registration_status,
            title_status=instance.title_status,
            exterior_color=instance.exterior_color,
            interior_color=instance.interior_color,
            engine=instance.engine,
            transmission=instance.transmission,
            drivetrain=instance.drivetrain,
            options=list(instance.options),
            matching_numbers=instance.matching_numbers,
            previous_owners=instance.previous_owners,
            last_service_date=instance.last_service_date,
            assembly_plant=instance.assembly_plant,
            estimated_value=instance.estimated_value,
            record=record,
        )


@strawberry.type(
    description="What a VIN says: whether it is valid (and why not), its maker, country and year."
)
class VinDecoding:
    input: str
    vin: str = strawberry.field(description="Normalised: upper case, separators removed.")
    valid: bool
    errors: list[str]
    notes: list[str]
    wmi: str | None
    manufacturer: str | None
    country: str | None
    region: str | None
    vds: str | None
    vis: str | None
    check_digit: str | None
    expected_check_digit: str | None
    check_digit_valid: bool | None
    model_year: int | None
    model_year_candidates: list[int]
    plant_code: str | None
    serial_number: str | None
    legacy_formats: list[str]

    @classmethod
    def from_decoding(cls, decoding: Decoding) -> VinDecoding:
        return cls(
            input=decoding.input,
            vin=decoding.vin,
            valid=decoding.valid,
            errors=list(decoding.errors),
            notes=list(decoding.notes),
            wmi=decoding.wmi,
            manufacturer=decoding.manufacturer,
            country=decoding.country,
            region=decoding.region,
            vds=decoding.vds,
            vis=decoding.vis,
            check_digit=decoding.check_digit,
            expected_check_digit=decoding.expected_check_digit,
            check_digit_valid=decoding.check_digit_valid,
            model_year=decoding.model_year,
            model_year_candidates=list(decoding.model_year_candidates),
            plant_code=decoding.plant_code,
            serial_number=decoding.serial_number,
            legacy_formats=list(decoding.legacy_formats),
        )
