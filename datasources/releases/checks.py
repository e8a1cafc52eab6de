"""What a generation must pass before it goes live.

The count against what the source produced, the mapping against the one the
code declares, and the canary queries every client depends on: the picker's
aggregation, a filtered search, an id lookup. They run against the new
generation by its own name, before any reader can see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch

from datasources.elastic.errors import DataSourceRejected, DataSourceUnavailable
from datasources.elastic.index_schema import MAPPING, document_count, live_mapping
from datasources.vehicles.vehicle_store import SearchRequest, get_by_ids, manufacturer_aggregates, search


@dataclass(slots=True)
class CheckReport:
    documents: int = 0
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


async def check_generation(client: AsyncElasticsearch, *, index: str, expected_documents: int) -> CheckReport:
    report = CheckReport()
    await client.indices.refresh(index=index)
    report.documents = await document_count(client, alias=index)
    if expected_documents == 0:
        report.failed.append(
            "documents: the source held no valid record; an empty generation never goes live"
        )
    elif report.documents != expected_documents:
        report.failed.append(
            f"documents: {report.documents:,} indexed, the source gave {expected_documents:,}"
        )
    else:
        report.passed.append(f"documents: {report.documents:,}, as the source gave")
    if await live_mapping(client, alias=index) != MAPPING:
        report.failed.append("mapping: differs from the mapping the code declares")
    else:
        report.passed.append("mapping: as declared")
    if report.documents:
        try:
            await _canaries(client, index=index, documents=report.documents, report=report)
        except (DataSourceUnavailable, DataSourceRejected) as error:
            report.failed.append(f"canary queries: {error}")
    return report


async def _canaries(client: AsyncElasticsearch, *, index: str, documents: int, report: CheckReport) -> None:
    groups = await manufacturer_aggregates(client, index=index, query={"match_all": {}})
    in_groups = sum(group.count for group in groups)
    if not groups or in_groups != documents:
        report.failed.append(f"picker: its manufacturers hold {in_groups:,} of {documents:,} documents")
        return
    report.passed.append(f"picker: {len(groups):,} manufacturers")
    first = groups[0]
    page = await search(
        client,
        index=index,
        request=SearchRequest(
            query={"term": {"manufacturer.keyword": first.manufacturer}},
            sort=[{"year": "asc"}, {"vehicle_id": "asc"}],
            size=1,
        ),
    )
    if page.total != first.count or not page.hits or page.hits[0].record.manufacturer != first.manufacturer:
        report.failed.append(
            f"filtered search: {first.manufacturer} gave {page.total:,}, the picker {first.count:,}"
        )
        return
    report.passed.append(f"filtered search: {first.manufacturer}, {page.total:,} vehicles")
    wanted = page.hits[0].record
    found = await get_by_ids(client, index=index, ids=[wanted.vehicle_id])
    if found.get(wanted.vehicle_id) != wanted:
        report.failed.append(f"id lookup: {wanted.vehicle_id} was not found by its id")
        return
    report.passed.append(f"id lookup: {wanted.vehicle_id}")
