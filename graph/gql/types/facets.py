"""Facet counts for the picker."""

from __future__ import annotations

import strawberry

from datasources.vehicles.vehicle_store import Bucket, FacetCounts


@strawberry.type
class FacetBucket:
    value: str
    count: int

    @classmethod
    def from_bucket(cls, bucket: Bucket) -> FacetBucket:
        return cls(value=bucket.value, count=bucket.count)


@strawberry.type(description="Counts of the vehicles matching a filter, by facet.")
class VehicleFacets:
    total_count: int
    manufacturers: list[FacetBucket]
    body_classes: list[FacetBucket]
    data_sources: list[FacetBucket]
    decades: list[FacetBucket]
    year_min: int | None
    year_max: int | None

    @classmethod
    def from_counts(cls, counts: FacetCounts) -> VehicleFacets:
        def buckets(items: tuple[Bucket, ...]) -> list[FacetBucket]:
            return [FacetBucket.from_bucket(b) for b in items]

        return cls(
            total_count=counts.total,
            manufacturers=buckets(counts.manufacturers),
            body_classes=buckets(counts.body_classes),
            data_sources=buckets(counts.data_sources),
            decades=buckets(counts.decades),
            year_min=counts.year_min,
            year_max=counts.year_max,
        )
