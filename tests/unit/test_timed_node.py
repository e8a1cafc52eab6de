"""Request targets named for metrics; what the timed node takes from elastic-transport is pinned in
test_compat_elastic_transport.py."""

from __future__ import annotations

import pytest

from datasources.elastic.timed_node import endpoint_of


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/autos-unified/_search?typed_keys=true", "_search"),
        ("/_msearch", "_msearch"),
        ("/autos-unified/_doc/abc123", "_doc"),
        ("/_cluster/health", "_cluster/health"),
        ("/_cluster/health/autos-unified?timeout=1s", "_cluster/health"),
        ("/autos-unified-v2", "index"),
        ("/", "root"),
    ],
)
def test_endpoints_never_carry_index_names_or_ids(target: str, expected: str) -> None:
    assert endpoint_of(target) == expected
