"""What the lean node (datasources/elastic/lean_http_node.py) needs from elastic-transport beyond its
public API: each test fails loudly when an upgrade changes it, before the node misbehaves."""

from __future__ import annotations

import inspect
from typing import get_type_hints

from elastic_transport import AiohttpHttpNode, HttpHeaders, NodeConfig
from elastic_transport._node import NodeApiResponse

from datasources.elastic.lean_http_node import LeanHttpNode

CONFIG = NodeConfig("http", "es.example", 9201, path_prefix="/prefix", connections_per_node=7)


def test_the_public_properties_it_reads_carry_the_config() -> None:
    node = AiohttpHttpNode(CONFIG)
    assert (node.host, node.port, node.path_prefix) == ("es.example", 9201, "/prefix")
    assert isinstance(node.headers, HttpHeaders)
    assert node.headers["connection"] == "keep-alive"
    assert node.config.connections_per_node == 7
    assert node.config.http_compress is False


def test_request_logging_keeps_its_signature() -> None:
    # The node logs each request as the aiohttp node does, through this private helper.
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


def test_the_response_type_is_the_private_node_response() -> None:
    # Where it lives and its shape are pinned in test_timed_node.py; the lean node builds one.
    assert get_type_hints(LeanHttpNode.perform_request)["return"] is NodeApiResponse


def test_its_own_attributes_shadow_nothing_of_the_aiohttp_node() -> None:
    theirs = set(vars(AiohttpHttpNode(CONFIG))) | set(dir(AiohttpHttpNode))
    ours = set(vars(LeanHttpNode(CONFIG))) - set(vars(AiohttpHttpNode(CONFIG)))
    assert ours == {"_lean", "_pool", "_host_header"}
    assert not ours & theirs


def test_plain_http_takes_the_lean_path_and_tls_or_compression_do_not() -> None:
    assert LeanHttpNode(CONFIG)._lean
    assert not LeanHttpNode(NodeConfig("https", "es.example", 9243))._lean
    assert not LeanHttpNode(NodeConfig("http", "es.example", 9200, http_compress=True))._lean
