"""Reading the service's own `/metrics` before and after a run: round trips and cache hits.

The counters are the service's, so what is counted is what it did, with any
number of workers (a server of several workers gets PROMETHEUS_MULTIPROC_DIR; one
worker keeps its values in process, as k8s/configmap.yaml deploys it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Labels = Mapping[str, str]

ES_REQUESTS = "autos_graph_elasticsearch_request_duration_seconds_count"
CACHE_HITS = "autos_graph_cache_hits_total"
CACHE_MISSES = "autos_graph_cache_misses_total"
HTTP_REQUESTS = "autos_graph_http_requests_total"
IN_PROGRESS = "autos_graph_http_requests_in_progress"
SCRAPE_ROUTE = "/metrics"
# Answers the service reuses from its own memory (graph/gql/answer_reuse.py): not a Redis read.
IN_PROCESS_CACHES = frozenset({"graphql_answers"})
# Background work of the service, not of the requests measured: the index-version
# refresh (`_alias`) and start-up probes.
BACKGROUND_ENDPOINTS = frozenset({"_alias", "_cluster/health"})

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def parse_samples(text: str) -> list[Sample]:
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match is None:
            continue
        name, raw_labels, value = match.groups()
        labels = dict(_LABEL.findall(raw_labels or ""))
        samples.append(Sample(name=name, labels=labels, value=float(value)))
    return samples


def total(samples: list[Sample], name: str, where: Callable[[Labels], bool] = lambda _labels: True) -> float:
    return sum(s.value for s in samples if s.name == name and where(s.labels))


def _foreground(labels: Labels) -> bool:
    return labels.get("endpoint") not in BACKGROUND_ENDPOINTS


def _in_redis(labels: Labels) -> bool:
    return labels.get("cache") not in IN_PROCESS_CACHES


def _served(labels: Labels) -> bool:
    return labels.get("route") != SCRAPE_ROUTE


@dataclass(frozen=True, slots=True)
class Counters:
    """Requests the service answered (scrapes excluded), and what they cost it: Elasticsearch
    requests, and reads of the aggregation cache in Redis (hits and misses)."""

    http_requests: float
    elasticsearch_requests: float
    cache_hits: float
    cache_misses: float
    # Requests being handled at the scrape, the scrape itself included.
    in_progress: float = 0.0

    @classmethod
    def from_text(cls, text: str) -> Counters:
        samples = parse_samples(text)
        return cls(
            http_requests=total(samples, HTTP_REQUESTS, _served),
            elasticsearch_requests=total(samples, ES_REQUESTS, _foreground),
            cache_hits=total(samples, CACHE_HITS, _in_redis),
            cache_misses=total(samples, CACHE_MISSES, _in_redis),
            in_progress=total(samples, IN_PROGRESS),
        )

    def minus(self, before: Counters) -> Counters:
        return Counters(
            http_requests=self.http_requests - before.http_requests,
            elasticsearch_requests=self.elasticsearch_requests - before.elasticsearch_requests,
            cache_hits=self.cache_hits - before.cache_hits,
            cache_misses=self.cache_misses - before.cache_misses,
        )

    def per_request(self, value: float) -> float | None:
        return value / self.http_requests if self.http_requests > 0 else None
