"""What datasources/compat/elastic_transport.py takes from elastic-transport beyond its public API.

Each test fails when an upgrade moves or reshapes one of those names, before the
lean node (datasources/elastic/lean_http_node.py) or the timed node
(datasources/elastic/timed_node.py) misbehaves.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from typing import get_type_hints

import pytest
from elastic_transport import AiohttpHttpNode, ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport._node import NodeApiResponse as PrivateNodeApiResponse
from elastic_transport.client_utils import DEFAULT as PRIVATE_DEFAULT

from datasources.compat import elastic_transport as compat
from datasources.elastic.lean_http_node import LeanHttpNode
from datasources.elastic.timed_node import timed_node_class

CONFIG = NodeConfig("http", "es.example", 9201, path_prefix="/prefix", connections_per_node=7)


def test_the_response_type_is_what_elastic_transport_nodes_return() -> None:
    # Overriding perform_request means returning this type, which elastic-transport keeps in a
    # private module (elastic_transport._node).
    assert compat.NodeApiResponse is PrivateNodeApiResponse
    assert get_type_hints(AiohttpHttpNode.perform_request)["return"] is compat.NodeApiResponse
    assert compat.NodeApiResponse._fields == ("meta", "body")


def test_both_nodes_override_perform_request_with_its_signature() -> None:
    theirs = inspect.signature(AiohttpHttpNode.perform_request)
    assert theirs.parameters["request_timeout"].default is compat.DEFAULT is PRIVATE_DEFAULT
    timed = timed_node_class(lambda *_: None, base=AiohttpHttpNode)
    for node_class in (LeanHttpNode, timed):
        ours = inspect.signature(node_class.perform_request)
        assert list(ours.parameters) == list(theirs.parameters), node_class
        assert ours.parameters["request_timeout"].default is compat.DEFAULT
        assert get_type_hints(node_class.perform_request)["return"] is compat.NodeApiResponse


def test_request_logging_keeps_its_signature() -> None:
    # The lean node logs each request as the aiohttp node does, through this private helper.
    parameters = inspect.signature(AiohttpHttpNode._log_request).parameters
    assert list(parameters) == [
        "self",
        "method",
        "target",
        "headers",
        "body",
        "meta",
        "response",
        "exception",
    ]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def node_log() -> Iterator[Records]:
    logger = logging.getLogger("elastic_transport.node")
    handler = Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_log_request_writes_what_the_aiohttp_node_writes(node_log: Records) -> None:
    node = AiohttpHttpNode(CONFIG)
    meta = ApiResponseMeta(
        node=CONFIG, duration=0.001, http_version="1.1", status=200, headers=HttpHeaders({"x-a": "1"})
    )
    headers = HttpHeaders({"authorization": "ApiKey secret"})
    compat.log_request(
        node, method="GET", target="/_search", headers=headers, body=b"{}", meta=meta, response=b'{"ok":1}'
    )
    failure = ConnectionError("refused")
    compat.log_request(node, method="GET", target="/_search", headers=None, body=None, exception=failure)
    answered, failed = node_log.records
    assert answered.getMessage().startswith("> GET /_search HTTP/1.1")
    assert "< HTTP/1.1 200 OK" in answered.getMessage()
    assert '{"ok":1}' in answered.getMessage()
    assert "secret" not in answered.getMessage()  # the library hides credentials
    assert failed.exc_info is not None
    assert failed.exc_info[1] is failure


def test_the_public_properties_it_reads_carry_the_config() -> None:
    node = AiohttpHttpNode(CONFIG)
    assert (node.host, node.port, node.path_prefix) == ("es.example", 9201, "/prefix")
    assert isinstance(node.headers, HttpHeaders)
    assert node.headers["connection"] == "keep-alive"
    assert node.config.connections_per_node == 7
    assert node.config.http_compress is False


def test_the_lean_nodes_own_attributes_shadow_nothing_of_the_aiohttp_node() -> None:
    theirs = set(vars(AiohttpHttpNode(CONFIG))) | set(dir(AiohttpHttpNode))
    ours = set(vars(LeanHttpNode(CONFIG))) - set(vars(AiohttpHttpNode(CONFIG)))
    assert ours == {"_lean", "_pool", "_host_header"}
    assert not ours & theirs
