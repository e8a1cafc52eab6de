"""Where instances are registered and under what kind of plate.

The original backend weighted CA 15, TX 8, FL 7 and a handful of others; here
those three keep exactly their share of all registrations and the rest of the
country follows, roughly by collector-car registrations (sun-belt and big
states first), so the weights sum to 100 %.
"""

from __future__ import annotations

from typing import Final

from datasources.vin.random_source import WeightedTable

# Per-mille shares; they sum to 1000.
STATE_WEIGHTS: Final[tuple[tuple[str, int], ...]] = (
    ("CA", 150),
    ("TX", 80),
    ("FL", 70),
    ("AZ", 45),
    ("OH", 38),
    ("MI", 38),
    ("PA", 35),
    ("NY", 34),
    ("IL", 33),
    ("NC", 30),
    ("GA", 28),
    ("WA", 28),
    ("NJ", 22),
    ("VA", 22),
    ("CO", 22),
    ("TN", 20),
    ("IN", 19),
    ("MO", 18),
    ("WI", 17),
    ("MN", 17),
    ("OR", 17),
    ("NV", 15),
    ("MA", 15),
    ("SC", 14),
    ("MD", 13),
    ("AL", 12),
    ("KY", 12),
    ("OK", 12),
    ("LA", 11),
    ("UT", 10),
    ("IA", 10),
    ("KS", 9),
    ("CT", 9),
    ("AR", 8),
    ("MS", 7),
    ("NM", 7),
    ("NE", 6),
    ("ID", 6),
    ("MT", 5),
    ("WV", 5),
    ("NH", 5),
    ("ME", 4),
    ("HI", 3),
    ("RI", 3),
    ("DE", 3),
    ("SD", 3),
    ("ND", 3),
    ("VT", 2),
    ("WY", 2),
    ("AK", 2),
    ("DC", 1),
)
STATE_TABLE: Final = WeightedTable(STATE_WEIGHTS)

# Most states issue historic or antique plates from 25 years of age.
HISTORIC_PLATE_AGE: Final = 25
HISTORIC_REGISTRATIONS: Final = WeightedTable([("Historic", 45), ("Active", 45), ("Non-Operational", 10)])
CURRENT_REGISTRATIONS: Final = WeightedTable([("Active", 94), ("Non-Operational", 6)])
PROJECT_REGISTRATIONS: Final = WeightedTable([("Non-Operational", 55), ("Historic", 25), ("Active", 20)])
