"""The shipped manifests keep the rate limiter's counts out of the cache's Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from graph.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def documents(path: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((ROOT / path).read_text()) if doc]


def redis_args(path: str) -> list[str]:
    [deployment] = [doc for doc in documents(path) if doc["kind"] == "Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    args: list[str] = container["args"]
    return args


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_limiter_counts_in_a_redis_of_its_own_that_never_evicts() -> None:
    [configmap] = documents("k8s/configmap.yaml")
    data = {
        key.lower(): value for key, value in configmap["data"].items() if key.lower() in Settings.model_fields
    }
    settings = Settings(**data)
    assert settings.limiter_redis_url == "redis://redis-limits.autos.svc.cluster.local:6379/0"
    assert settings.limiter_redis_url != settings.redis_url
    assert option(redis_args("k8s/redis-limits.yaml"), "--maxmemory-policy") == "noeviction"
    # The cache's Redis evicts only entries with a TTL; the persisted documents have none and
    # are bounded by the API, well inside its memory.
    cache = redis_args("k8s/redis.yaml")
    assert option(cache, "--maxmemory-policy") == "volatile-lru"
    assert (
        settings.persisted_documents_max_bytes * 4
        <= int(option(cache, "--maxmemory").removesuffix("mb")) * 2**20
    )
    assert (settings.rate_limit_ipv4_prefix, settings.rate_limit_ipv6_prefix) == (32, 64)


def test_the_limiter_redis_is_deployed_and_reachable_only_by_the_api() -> None:
    assert "redis-limits.yaml" in (ROOT / "k8s/kustomization.yaml").read_text()
    [service] = [doc for doc in documents("k8s/redis-limits.yaml") if doc["kind"] == "Service"]
    assert service["metadata"]["name"] == "redis-limits"
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in documents("k8s/networkpolicy.yaml")}
    [rule] = policies["redis-limits"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "autos-backend"}}}]
    egress = [
        peer["podSelector"]["matchLabels"]
        for r in policies["autos-backend"]["egress"]
        for peer in r.get("to", [])
    ]
    assert {"app.kubernetes.io/name": "redis-limits"} in egress


def test_compose_bounds_both_redis_and_points_the_limiter_at_its_own() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    cache, limits = services["redis"]["command"], services["redis-limits"]["command"]
    assert option(cache, "--maxmemory-policy") == "volatile-lru"
    assert option(cache, "--maxmemory") == "100mb"
    assert option(limits, "--maxmemory-policy") == "noeviction"
    assert compose["x-api-env"]["RATE_LIMIT_REDIS_URL"] == "redis://redis-limits:6379/0"
