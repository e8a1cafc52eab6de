"""The benchmark serves autos-graph with the values k8s/configmap.yaml deploys."""

from __future__ import annotations

import pytest

from graph.settings import load_settings
from scripts.bench.deployment import UNREACHABLE_RATE_LIMIT, configmap_values, deployed_environment


def _environment() -> dict[str, str]:
    return deployed_environment(
        elasticsearch_url="http://127.0.0.1:9200",
        redis_url="redis://127.0.0.1:6379/0",
        index="autos-bench",
        port=3999,
    )


def test_the_configmap_values_are_used_with_only_the_local_overrides() -> None:
    deployed = configmap_values()
    env = _environment()
    overridden = {
        "ELASTICSEARCH_URL",
        "REDIS_URL",
        "RATE_LIMIT_REDIS_URL",
        "ES_INDEX",
        "PORT",
        "RATE_LIMIT_PER_MINUTE",
        "COST_BUDGET_PER_MINUTE",
    }
    assert {key: env[key] for key in deployed if key not in overridden} == {
        key: value for key, value in deployed.items() if key not in overridden
    }
    assert env["LOG_LEVEL"] == "INFO"
    assert env["ENVIRONMENT"] == "production"
    assert env["RATE_LIMIT_WHITELIST"] == ""
    assert env["TRUSTED_PROXIES"] == ""
    assert int(env["RATE_LIMIT_PER_MINUTE"]) == int(UNREACHABLE_RATE_LIMIT) > 0
    assert int(env["COST_BUDGET_PER_MINUTE"]) == int(UNREACHABLE_RATE_LIMIT)  # counted, never spent
    assert env["RATE_LIMIT_REDIS_URL"] == env["REDIS_URL"]
    assert (env["ES_INDEX"], env["PORT"], env["HOST"]) == ("autos-bench", "3999", "127.0.0.1")


def test_the_callers_shell_does_not_change_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("ANSWER_CACHE", "false")  # not in the configmap: the service's default stands
    monkeypatch.setenv("NODE_ENV", "development")
    env = _environment()
    assert env["LOG_LEVEL"] == "INFO"
    assert "ANSWER_CACHE" not in env
    assert "NODE_ENV" not in env


def test_the_service_accepts_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _environment().items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.environment == "production"
    assert settings.log_level == "INFO"
    assert settings.access_log
    assert settings.metrics_enabled
    assert settings.rate_limit_per_minute == int(UNREACHABLE_RATE_LIMIT)
    assert settings.rate_limit_whitelist == []


def test_changes_go_on_top() -> None:
    env = deployed_environment(
        elasticsearch_url="http://127.0.0.1:9200",
        redis_url="redis://127.0.0.1:6379/0",
        index="autos-bench",
        port=3999,
        WORKERS="2",
    )
    assert env["WORKERS"] == "2"
