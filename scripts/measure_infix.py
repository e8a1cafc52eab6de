"""What matching inside words costs Elasticsearch, on an index holding the full dataset.

    python scripts/measure_infix.py [--index autos-graph-infix-bench] [--repeats 40]

Each case is one search as the API sends it (20 hits, exact total), timed
as a loopback round trip (Elasticsearch's own `took` is whole milliseconds, too
coarse here), with the shard request cache off.
"cold" clears the index's query cache before every repeat, so a cached filter
bitset never hides the wildcard's walk over the terms dictionary; "warm" repeats
the search as a busy picker would. The index is loaded with the full dataset
first unless it holds it already. `make bench-infix` (and `make bench`) runs it;
docs/partial-matches.md holds the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

from datasources.elastic.bulk_loader import holds_dataset, load_dataset
from datasources.elastic.client import create_client
from datasources.elastic.index_schema import create_index
from datasources.vehicles.vehicle_filter import VehicleFilter, build_query


@dataclass(frozen=True)
class Case:
    name: str
    query: dict[str, Any]


def _word_prefix_only(field: str, text: str) -> dict[str, Any]:
    # The filter before infix matching: exact keyword or word prefix.
    return {
        "bool": {
            "filter": [
                {
                    "bool": {
                        "should": [
                            {"term": {f"{field}.keyword": {"value": text, "case_insensitive": True}}},
                            {"match_phrase_prefix": {field: {"query": text, "max_expansions": 50}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ]
        }
    }


CASES = [
    Case("model word prefix 'Must' (before: prefix only)", _word_prefix_only("model", "Must")),
    Case("model 'Must' (now: prefix or infix)", build_query(VehicleFilter(model="Must"))),
    Case("model infix 'stang'", build_query(VehicleFilter(model="stang"))),
    Case("model infix 'vette'", build_query(VehicleFilter(model="vette"))),
    Case("manufacturer infix 'vrolet'", build_query(VehicleFilter(manufacturer="vrolet"))),
    Case("model infix 'ero' (many names)", build_query(VehicleFilter(model="ero"))),
    Case("search 'vette' (fuzzy + prefix + infix)", build_query(VehicleFilter(search="vette"))),
    # The most a request can ask for: 8 search words (MAX_SEARCH_TERMS), each an infix on both fields.
    Case(
        "search of 8 words (worst case)", build_query(VehicleFilter(search="ord vro ett tan aro ini ust ame"))
    ),
    Case("model of 100 characters (longest)", build_query(VehicleFilter(model="stang" * 20))),
    Case("no filter (match_all)", {"match_all": {}}),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _measure(index: str, url: str, repeats: int) -> None:
    client = create_client(url=url, request_timeout=30)
    try:
        if not await holds_dataset(client, alias=index, kind="full"):
            print(f"loading the full dataset into {index} ...")
            await create_index(client, alias=index, recreate=True)
            await load_dataset(client, alias=index, kind="full")
        documents = int((await client.count(index=index))["count"])
        print(f"index {index}: {documents:,} documents; {repeats} repeats per case; load {os.getloadavg()}")
        print(f"{'case':<48} {'hits':>7} {'cold p50/p95 ms':>20} {'warm p50/p95 ms':>20}")
        for case in CASES:
            cold: list[float] = []
            warm: list[float] = []
            total = 0
            for mode, samples in (("cold", cold), ("warm", warm)):
                for _ in range(repeats):
                    if mode == "cold":
                        await client.indices.clear_cache(index=index, query=True, request=True)
                    started = time.perf_counter()
                    response = await client.search(
                        index=index, query=case.query, size=20, track_total_hits=True, request_cache=False
                    )
                    samples.append((time.perf_counter() - started) * 1000)
                    total = int(response["hits"]["total"]["value"])
            print(
                f"{case.name:<48} {total:>7,} "
                f"{statistics.median(cold):>10.1f} / {_percentile(cold, 0.95):<9.1f} "
                f"{statistics.median(warm):>10.1f} / {_percentile(warm, 0.95):<9.1f}"
            )
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--index", default="autos-graph-infix-bench", help="An index of its own: it may be recreated."
    )
    parser.add_argument("--url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--repeats", type=int, default=40)
    arguments = parser.parse_args()
    asyncio.run(_measure(arguments.index, arguments.url, arguments.repeats))


if __name__ == "__main__":
    main()
