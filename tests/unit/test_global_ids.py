"""Relay global ids: the scheme round-trips, types never collide, bare vehicle ids stay valid."""

from __future__ import annotations

import base64

import pytest

from resolvers.errors import InvalidArgument
from resolvers.global_ids import GlobalId, from_global_id, parse_global_id, to_global_id, vehicle_key


@pytest.mark.parametrize(
    ("type_name", "key"),
    [
        ("Vehicle", "0067e544eaee0913"),
        ("Vehicle", "imported:id.with-colons"),
        ("ManufacturerModelGroup", "Škoda"),
    ],
)
def test_round_trip(type_name: str, key: str) -> None:
    global_id = to_global_id(type_name, key)  # type: ignore[arg-type]
    assert base64.b64decode(global_id).decode() == f"{type_name}:{key}"
    assert from_global_id(global_id) == GlobalId(type_name=type_name, key=key)  # type: ignore[arg-type]


def test_the_same_key_gives_different_ids_for_different_types() -> None:
    assert to_global_id("Vehicle", "Ford") != to_global_id("ManufacturerModelGroup", "Ford")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0067e544eaee0913",  # a bare vehicle id is no global id
        "not base64!",
        base64.b64encode(b"Planet:Mars").decode(),
        base64.b64encode(b"Vehicle:").decode(),
        base64.b64encode(b"Vehicle").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
        "A" * 600,
    ],
)
def test_values_that_are_not_global_ids(value: str) -> None:
    assert from_global_id(value) is None
    with pytest.raises(InvalidArgument, match="is not a global id"):
        parse_global_id(value)


def test_vehicle_key_takes_global_or_bare_vehicle_ids() -> None:
    assert vehicle_key(to_global_id("Vehicle", "0067e544eaee0913")) == "0067e544eaee0913"
    assert vehicle_key("0067e544eaee0913") == "0067e544eaee0913"
    # A group's id is no vehicle's: it is looked up as given and finds nothing.
    group_id = to_global_id("ManufacturerModelGroup", "Ford")
    assert vehicle_key(group_id) == group_id
