from __future__ import annotations

from typing import get_type_hints

import pytest
from elastic_transport import AiohttpHttpNode
from elastic_transport._node import NodeApiResponse

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


def test_the_node_response_type_is_what_elastic_transport_nodes_return() -> None:
    # The timed node overrides perform_request, whose return type elastic-transport keeps in a
    # private module (elastic_transport._node). Fails loudly when an upgrade moves or reshapes it.
    hints = get_type_hints(AiohttpHttpNode.perform_request)
    assert hints["return"] is NodeApiResponse
    assert NodeApiResponse._fields == ("meta", "body")
