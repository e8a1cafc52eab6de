"""Every metric the alert rules read is in the service's own /metrics output."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import app_client, es_host_port, make_settings
from tests.support.tcp_proxy import TcpProxy

RULES = Path(__file__).resolve().parents[2] / "k8s" / "prometheus" / "autos-graph.rules.yml"
_SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def referenced_metrics() -> set[str]:
    return set(re.findall(r"\b(autos_graph_[a-z_]+|process_[a-z_]+)\b", RULES.read_text()))


async def test_every_metric_an_alert_reads_is_exported(client: httpx.AsyncClient) -> None:
    # A readiness check sets the dependency gauges; a request fills the request families.
    assert (await client.get("/health/ready")).status_code == 200
    assert (await client.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
    exposition = (await client.get("/metrics")).text
    families = {family.name: family for family in text_string_to_metric_families(exposition)}
    exported = set(families) | {f"{name}{suffix}" for name in families for suffix in _SUFFIXES}
    referenced = referenced_metrics()
    assert len(referenced) >= 8
    assert referenced <= exported, sorted(referenced - exported)
    up = {
        sample.labels["dependency"]: sample.value for sample in families["autos_graph_dependency_up"].samples
    }
    assert up == {"elasticsearch": 1.0, "redis": 1.0}


def _value(exposition: str, family: str, **labels: str) -> float:
    for each in text_string_to_metric_families(exposition):
        if each.name == family:
            for sample in each.samples:
                if all(sample.labels.get(key) == value for key, value in labels.items()):
                    return float(sample.value)
    return 0.0


async def test_an_elasticsearch_outage_moves_the_metrics_its_alerts_read() -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    async for client in app_client(make_settings(elasticsearch_url=f"http://{proxy.url_host}")):
        before = (await client.get("/metrics")).text
        await proxy.stop()
        assert (await client.get("/health/ready")).status_code == 503
        # Twice: a new document, then the same one held by the document cache; each failed
        # operation is counted once.
        for _ in range(2):
            answer = await client.post("/graphql", json={"query": "{ vehicles(first: 1) { totalCount } }"})
            assert answer.status_code == 200
            assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        after = (await client.get("/metrics")).text
        await proxy.restart()
    failed = "autos_graph_graphql_failed_operations"
    assert (
        _value(after, failed, code="SERVICE_UNAVAILABLE")
        == _value(before, failed, code="SERVICE_UNAVAILABLE") + 2
    )
    assert _value(after, "autos_graph_dependency_up", dependency="elasticsearch") == 0.0
    await proxy.stop()
