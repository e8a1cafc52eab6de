"""The shim's success bodies: the old backend's shapes, snake_case fields as stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate
from graph.rest.params import DetailsQuery, Paging
from resolvers.legacy import OffsetPage

# Set when an aggregation came from the last-known cache because Elasticsearch
# is down: the counts may be up to a day old.
STALE_HEADER = "X-Data-Stale"


@dataclass(frozen=True, slots=True)
class Answer:
    """A success body, encoded; `stale` when it holds last-known counts (sent with STALE_HEADER)."""

    body: bytes
    stale: bool = False

    @classmethod
    def of(cls, body: Any, *, stale: bool = False) -> Answer:
        return cls(orjson.dumps(body), stale)


def json_response(body: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status_code, headers=headers, media_type="application/json"
    )


def total_pages(total: int, size: int) -> int:
    return -(-total // size)


def vehicle_result(record: VehicleRecord) -> dict[str, Any]:
    return {
        "vehicle_id": record.vehicle_id,
        "manufacturer": record.manufacturer,
        "model": record.model,
        "year": record.year,
        "body_class": record.body_class,
        "data_source": record.data_source,
        "make_model_year": record.make_model_year,
        "instance_count": record.instance_count,
    }


def group_result(group: ManufacturerAggregate) -> dict[str, Any]:
    return {
        "manufacturer": group.manufacturer,
        "count": group.count,
        "models": [{"model": m.model, "count": m.count} for m in group.models],
    }


def _paged(total: int, paging: Paging) -> dict[str, Any]:
    return {
        "total": total,
        "page": paging.page,
        "size": paging.size,
        "totalPages": total_pages(total, paging.size),
    }


def combinations_body(page: OffsetPage[ManufacturerAggregate], paging: Paging | None) -> dict[str, Any]:
    data = [group_result(g) for g in page.items]
    if paging is None:
        # Unpaged: one page holding everything, described in the paged shape old clients parse.
        return {
            "total": page.total,
            "page": 1,
            "size": len(data),
            "totalPages": 1 if data else 0,
            "data": data,
        }
    return {**_paged(page.total, paging), "data": data}


def details_body(page: OffsetPage[VehicleRecord], query: DetailsQuery) -> dict[str, Any]:
    return {
        **_paged(page.total, query.paging),
        "query": query.echo(),
        "results": [vehicle_result(r) for r in page.items],
    }


def instances_body(record: VehicleRecord, instances: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "vehicle_id": record.vehicle_id,
        "manufacturer": record.manufacturer,
        "model": record.model,
        "year": record.year,
        "body_class": record.body_class,
        "instance_count": record.instance_count,
        "instances": instances,
    }
