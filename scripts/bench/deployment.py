"""The environment autos-graph runs with under the benchmark: the values `k8s/configmap.yaml` deploys.

Only what must differ on one machine is overridden: where Elasticsearch, Redis
and the index are, the loopback address and port, and the rate limit, raised
to a number no run reaches so the limiter counts every request (the whitelist
stays empty) without ever refusing one. Settings the configmap leaves out keep
the service's defaults: a variable of the same name in the caller's shell is
not passed on, so `LOG_LEVEL=DEBUG make bench` still measures the deployment.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from graph.settings import LEGACY_VARIABLES, Settings
from scripts.bench.server import base_environment

CONFIGMAP = Path(__file__).resolve().parents[2] / "k8s" / "configmap.yaml"
# Far above anything one benchmark sends in a minute from its one client address.
UNREACHABLE_RATE_LIMIT = "1000000000"
# What the benchmark overrides, and why, as docs/benchmarks.md states it.
LOCAL_OVERRIDES = {
    "ELASTICSEARCH_URL": "the local Elasticsearch",
    "REDIS_URL": "the local Redis",
    "RATE_LIMIT_REDIS_URL": "the local Redis (one Redis holds the limiter's counts beside the caches)",
    "ES_INDEX": "the benchmark's own index",
    "HOST": "loopback",
    "PORT": "a free port",
    "RATE_LIMIT_PER_MINUTE": f"{int(UNREACHABLE_RATE_LIMIT):,}, a limit no run reaches",
    "COST_BUDGET_PER_MINUTE": f"{int(UNREACHABLE_RATE_LIMIT):,} points, a budget no run spends",
}


def configmap_values(path: Path = CONFIGMAP) -> dict[str, str]:
    """The `data` of the ConfigMap, every value as the string Kubernetes passes to the container."""
    document: Any = yaml.safe_load(path.read_text())
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path} has no `data` mapping")
    return {str(key): "" if value is None else str(value) for key, value in data.items()}


def cache_ttl_seconds() -> float:
    """The longest time an answer or an aggregation stays cached as deployed."""
    values = configmap_values()
    return float(max(int(values.get(key) or 30) for key in ("CACHE_TTL_SECONDS", "ANSWER_CACHE_TTL_SECONDS")))


def _service_variables() -> set[str]:
    """Every variable the service's settings read (and the old names it still accepts)."""
    return {name.upper() for name in Settings.model_fields} | set(LEGACY_VARIABLES)


def deployed_environment(
    *,
    elasticsearch_url: str,
    redis_url: str,
    index: str,
    port: int,
    **changes: str,
) -> dict[str, str]:
    """The configmap's values with the local overrides; `changes` on top (an ablation's one switch,
    or WORKERS for the 2-worker run)."""
    service = _service_variables()
    env = {key: value for key, value in base_environment().items() if key not in service}
    env.update(configmap_values())
    env.update(
        ELASTICSEARCH_URL=elasticsearch_url,
        REDIS_URL=redis_url,
        RATE_LIMIT_REDIS_URL=redis_url,
        ES_INDEX=index,
        HOST="127.0.0.1",
        PORT=str(port),
        RATE_LIMIT_PER_MINUTE=UNREACHABLE_RATE_LIMIT,
        COST_BUDGET_PER_MINUTE=UNREACHABLE_RATE_LIMIT,
    )
    env.update(changes)
    return env


def describe(configmap: Mapping[str, str] | None = None) -> str:
    """One line for the report: the deployed values that shape a request's cost, and the overrides."""
    values = configmap_values() if configmap is None else configmap
    shown = ", ".join(
        f"{key}={values[key] or '(empty)'}"
        for key in (
            "ENVIRONMENT",
            "LOG_LEVEL",
            "WORKERS",
            "RATE_LIMIT_WHITELIST",
            "TRUSTED_PROXIES",
            "TRUSTED_DOCUMENTS",
            "ANSWER_CACHE_MAX_BYTES",
            "AGGREGATION_CACHE_MAX_BYTES",
            "DOCUMENT_CACHE_MAX_BYTES",
            "CACHE_TTL_SECONDS",
            "ANSWER_CACHE_TTL_SECONDS",
        )
        if key in values
    )
    overridden = "; ".join(f"{key}: {why}" for key, why in LOCAL_OVERRIDES.items())
    return f"k8s/configmap.yaml as deployed ({shown}); overridden: {overridden}"


def add_service_arguments(parser: argparse.ArgumentParser) -> None:
    """The services and index a runner beside `make bench` serves autos-graph against."""
    parser.add_argument("--index", default="autos-bench")
    parser.add_argument("--elasticsearch-url", default="http://127.0.0.1:9200")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
