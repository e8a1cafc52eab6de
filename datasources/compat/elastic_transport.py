"""elastic-transport's private and undocumented names that our Elasticsearch nodes rely on.

The nodes in datasources/elastic extend elastic-transport's aiohttp node: the
timed node wraps `perform_request`, the lean node replaces it for plain HTTP.
An override of `perform_request` returns the library's node response, a type it
keeps in a private module, and takes its `request_timeout` sentinel; the lean
node logs each exchange exactly as the aiohttp node does, through the nodes'
private logging helper, so `elastic_transport.node` debug logs stay what
operators know. These are the only such names, and they are reached only here;
tests/unit/test_compat_elastic_transport.py pins each of them.
"""

from __future__ import annotations

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType

__all__ = ["DEFAULT", "DefaultType", "NodeApiResponse", "log_request"]


def log_request(
    node: BaseNode,
    *,
    method: str,
    target: str,
    headers: HttpHeaders | None,
    body: bytes | None,
    meta: ApiResponseMeta | None = None,
    response: bytes | None = None,
    exception: Exception | None = None,
) -> None:
    """Log one exchange (its answer in `meta`/`response`, or its failure) as elastic-transport's nodes do."""
    node._log_request(
        method=method,
        target=target,
        headers=headers,
        body=body,
        meta=meta,
        response=response,
        exception=exception,
    )
