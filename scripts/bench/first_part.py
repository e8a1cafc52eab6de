"""Time to the first part: a filtered search with its facets deferred, against the same search whole.

The deferred request is what Apollo Client sends for a search page (its
`Accept` names `multipart/mixed`); the first part is in hand when the bytes up
to the delimiter after the initial payload have arrived: the list, ready to
show. The whole request is the same operation without `@defer`, read to its
last byte. Both run cold: every request draws new variables (the filtered
search's variants, scripts/bench/variants.py), so neither the answer cache,
nor the facets' aggregation cache, nor Elasticsearch's request cache holds it.
One connection each, kept alive, requests alternating, against a worker in the
deployed configuration.

    .venv/bin/python -m scripts.bench --skip-load --skip-vin --memory-documents 0 \
        --modes cold --workloads deferred_facets   # this workload alone (autos-bench loaded)
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Sequence
from typing import Any, Final

import orjson

from scripts.bench import variants
from scripts.bench.stats import ratio, summarize
from tests.support.benchmark_operations import RACE_FILTERED_SEARCH

NAME: Final = "deferred_facets"
SAMPLES: Final = 200
WARM_UP: Final = 20
_FACETS: Final = (
    "facets(filter: $filter) { totalCount manufacturers { value count } bodyClasses { value count } "
    "dataSources { value count } decades { value count } yearMin yearMax }"
)
# The race's filtered search, with the search page's facets of the same filter.
DEFERRED_SEARCH: Final = (
    RACE_FILTERED_SEARCH.removesuffix("}").rstrip() + f' ... @defer(label: "facets") {{ {_FACETS} }} }}'
)
WHOLE_SEARCH: Final = DEFERRED_SEARCH.replace(' @defer(label: "facets")', "")
APOLLO_ACCEPT: Final = "multipart/mixed;incrementalSpec=v0.2,application/json"
_DELIMITER: Final = b"\r\n---"


def _post(connection: http.client.HTTPConnection, body: bytes, accept: str) -> http.client.HTTPResponse:
    headers = {"Content-Type": "application/json", "Accept": accept}
    connection.request("POST", "/graphql", body=body, headers=headers)
    return connection.getresponse()


def deferred_timing(connection: http.client.HTTPConnection, body: bytes) -> tuple[float, float]:
    """(ms to the first part, ms to the last byte) of a deferred search."""
    started = time.perf_counter()
    response = _post(connection, body, APOLLO_ACCEPT)
    if response.status != 200 or not response.getheader("content-type", "").startswith("multipart/mixed"):
        raise RuntimeError(f"deferred search: HTTP {response.status}, {response.read()[:300]!r}")
    received = b""
    while (end := received.find(_DELIMITER, len(_DELIMITER))) < 0:
        chunk = response.read1(65536)
        if not chunk:
            raise RuntimeError(f"deferred search ended before its first part: {received[:300]!r}")
        received += chunk
    first = time.perf_counter()
    rest = response.read()
    done = time.perf_counter()
    initial = orjson.loads(received[:end].partition(b"\r\n\r\n")[2])
    if initial.get("errors") or not initial.get("data", {}).get("vehicles") or b'"errors"' in rest:
        raise RuntimeError(f"deferred search answered with errors: {(received + rest)[:400]!r}")
    return (first - started) * 1000, (done - started) * 1000


def whole_timing(connection: http.client.HTTPConnection, body: bytes) -> float:
    """ms to the last byte of the whole search."""
    started = time.perf_counter()
    response = _post(connection, body, "application/json")
    answer = response.read()
    done = time.perf_counter()
    document = orjson.loads(answer)
    if response.status != 200 or document.get("errors") or not document.get("data", {}).get("facets"):
        raise RuntimeError(f"whole search: HTTP {response.status}, {answer[:300]!r}")
    return (done - started) * 1000


def measure(
    base_url: str, catalog: variants.Catalog, *, samples: int = SAMPLES, seed: int | None = None
) -> dict[str, Any]:
    """Alternating cold requests of both kinds; p50s and their ratio.

    The variants are drawn anew each run (`seed` from the clock unless given, kept in the result):
    Elasticsearch's request cache keeps aggregations of an earlier run's variants.
    """
    seed = time.time_ns() % 2**31 if seed is None else seed
    values = variants.filtered_search(catalog, count=2 * (samples + WARM_UP), seed=seed)
    host, port = base_url.removeprefix("http://").split(":")
    deferred = http.client.HTTPConnection(host, int(port), timeout=60)
    whole = http.client.HTTPConnection(host, int(port), timeout=60)
    first_ms: list[float] = []
    deferred_total_ms: list[float] = []
    whole_ms: list[float] = []
    try:
        for position in range(samples + WARM_UP):
            one, other = values[2 * position], values[2 * position + 1]
            first, total = deferred_timing(
                deferred, orjson.dumps({"query": DEFERRED_SEARCH, "variables": one})
            )
            complete = whole_timing(whole, orjson.dumps({"query": WHOLE_SEARCH, "variables": other}))
            if position >= WARM_UP:
                first_ms.append(first)
                deferred_total_ms.append(total)
                whole_ms.append(complete)
    finally:
        deferred.close()
        whole.close()
    first_part, whole_search = _summary(first_ms), _summary(whole_ms)
    return {
        "samples": samples,
        "seed": seed,
        "first_part_ms": first_part,
        "deferred_last_byte_ms": _summary(deferred_total_ms),
        "whole_ms": whole_search,
        "ratio_p50": ratio(first_part["p50"], whole_search["p50"]),
    }


def _summary(samples_ms: Sequence[float]) -> dict[str, float]:
    summary = summarize(samples_ms)
    return {"p50": summary.p50, "p95": summary.p95, "p99": summary.p99, "mean": summary.mean}
