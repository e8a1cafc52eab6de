"""Factory options by era, each with what it adds to a car's value today.

Each era has a basic list (comfort items most cars had) and a premium list
(packages and performance items collectors pay for). A car in Concours,
Excellent or Good condition draws from both; by Fair or Project condition the
desirable parts are the first to have been sold off, so only basic options
survive. Values are 2025 US dollars for a mass-market car; `valuation` scales
them by market segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

OPTION_ERA_STARTS: Final = (0, 1930, 1955, 1975, 1990, 2010)


@dataclass(frozen=True, slots=True)
class OptionList:
    names: tuple[str, ...]
    values: tuple[int, ...]
    basic_count: int  # the first `basic_count` entries are the basic list


def _options(basic: str, premium: str) -> OptionList:
    """'Name=value; Name=value' for each list."""
    entries: list[tuple[str, int]] = []
    counts = []
    for spec in (basic, premium):
        items = [item.strip().rpartition("=") for item in spec.split(";") if item.strip()]
        entries.extend((name, int(value)) for name, _, value in items)
        counts.append(len(items))
    return OptionList(
        names=tuple(name for name, _ in entries),
        values=tuple(value for _, value in entries),
        basic_count=counts[0],
    )


OPTION_LISTS: Final[tuple[OptionList, ...]] = (
    _options(
        "Electric Starter=600; Demountable Rims=400; Spare Tire Carrier=250; Front and Rear Bumpers=300;"
        " Motometer=350; Side Curtains=300; Luggage Rack=250",
        "Wire Wheels=2500; Dual Side-mount Spares=3000; Trunk Rack with Trunk=1800; Rumble Seat=3500;"
        " Cowl Lamps=900; Nickel-plated Radiator Shell=1200",
    ),
    _options(
        "Heater=400; AM Radio=500; Whitewall Tires=450; Electric Clock=300; Turn Signals=250;"
        " Outside Mirror=150; Backup Lamps=200; Windshield Washer=150",
        "Overdrive=1500; Fender Skirts=800; Continental Kit=2500; Spotlight=600; Exterior Sun Visor=700;"
        " Wire Wheel Covers=900; Radio with Power Antenna=1100",
    ),
    _options(
        "Power Steering=800; Power Brakes=700; AM Radio=400; Tinted Glass=300; Whitewall Tires=350;"
        " Bucket Seats=900; Deluxe Seat Belts=200; Remote-control Mirror=250",
        "Factory Air Conditioning=4000; Power Disc Brakes=1800; GT Equipment Group=6000;"
        " Interior Decor Group=2500; Rally Pac Gauges=1500; Positraction Rear Axle=1800; AM/FM Radio=900;"
        " Power Windows=1500; Tilt Steering Wheel=700; Styled Steel Wheels=1200; Vinyl Roof=600;"
        " Functional Hood Scoop=3500",
    ),
    _options(
        "Air Conditioning=900; AM/FM Stereo=400; Power Steering=400; Rear Window Defroster=200;"
        " Intermittent Wipers=150; Tinted Glass=150; Cruise Control=300; Tilt Wheel=250",
        "Power Windows=600; Power Door Locks=400; Power Sunroof=1200; T-Tops=2500; Cassette Stereo=400;"
        " Alloy Wheels=900; Leather Seats=1200; Premium Sound=700; Digital Instrument Cluster=800;"
        " Limited-slip Differential=1000",
    ),
    _options(
        "Air Conditioning=300; Cruise Control=200; Power Windows=250; Power Locks=200; CD Player=150;"
        " Keyless Entry=200; Alloy Wheels=500; Fog Lamps=200",
        "Leather Seats=900; Power Sunroof=800; Heated Seats=500; Premium Audio=600; Navigation System=500;"
        " Xenon Headlamps=500; Sport Package=1500; Towing Package=700; Third-row Seat=900;"
        " Rear-seat DVD Entertainment=400",
    ),
    _options(
        "Backup Camera=300; Bluetooth=150; Apple CarPlay and Android Auto=300; Push-button Start=200;"
        " Heated Mirrors=150; Blind-spot Monitoring=400; Adaptive Cruise Control=600; LED Headlamps=500",
        "Panoramic Sunroof=1500; Ventilated Seats=900; Premium Audio=1000; Head-up Display=800;"
        " 360-degree Camera=700; Performance Package=3500; Towing Package=900;"
        " Driver Assistance Package=1500;"
        " Heated Steering Wheel=300; 20-inch Wheels=1200",
    ),
)


def option_list_for(year: int) -> OptionList:
    era = sum(1 for start in OPTION_ERA_STARTS[1:] if year >= start)
    return OPTION_LISTS[era]
