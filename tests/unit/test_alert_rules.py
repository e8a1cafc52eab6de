"""The alert rules: valid for Prometheus (`promtool check rules`), each alert unit-tested
(`promtool test rules`), shipped identically as a plain file and a PrometheusRule, and each
one explained in docs/runbook.md. promtool is Debian's `prometheus` package; `make test`
installs it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "k8s" / "prometheus" / "autos-graph.rules.yml"
RULE_TESTS = ROOT / "k8s" / "prometheus" / "autos-graph.rules.test.yml"
PROMETHEUS_RULE = ROOT / "k8s" / "prometheusrule.yaml"
RUNBOOK = ROOT / "docs" / "runbook.md"
# The issue's list: error ratio, p95 latency, Elasticsearch unavailable and stale answers,
# Redis down, rate-limit bursts, restarts.
EXPECTED_ALERTS = {
    "AutosGraphHighErrorRatio",
    "AutosGraphHighLatencyP95",
    "AutosGraphElasticsearchUnavailable",
    "AutosGraphServingStaleAnswers",
    "AutosGraphRedisDown",
    "AutosGraphRateLimitBurst",
    "AutosGraphRestarting",
}


def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: `make test` installs it (apt-get install prometheus)"
    return found


def alerts(groups: dict[str, Any]) -> list[dict[str, Any]]:
    return [rule for group in groups["groups"] for rule in group["rules"] if "alert" in rule]


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *arguments], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_accepts_the_plain_rules_and_the_prometheus_rule(tmp_path: Path) -> None:
    spec = yaml.safe_load(PROMETHEUS_RULE.read_text())["spec"]
    extracted = tmp_path / "from-prometheusrule.yml"
    extracted.write_text(yaml.safe_dump(spec))
    for path in (RULES, extracted):
        result = run("check", "rules", str(path), cwd=path.parent)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"SUCCESS: {len(EXPECTED_ALERTS)} rules found" in result.stdout + result.stderr


def test_promtool_unit_tests_pass() -> None:
    result = run("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    print(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_issues_alerts_are_all_there_and_each_is_unit_tested_firing() -> None:
    rules = yaml.safe_load(RULES.read_text())
    assert {rule["alert"] for rule in alerts(rules)} == EXPECTED_ALERTS
    tests = yaml.safe_load(RULE_TESTS.read_text())
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test["alert_rule_test"]
        if case.get("exp_alerts")
    }
    assert fired == EXPECTED_ALERTS
    for rule in alerts(rules):
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["runbook"] == f"docs/runbook.md#{rule['alert'].lower()}"


def test_the_prometheus_rule_carries_exactly_the_plain_rules() -> None:
    assert yaml.safe_load(PROMETHEUS_RULE.read_text())["spec"] == yaml.safe_load(RULES.read_text())


def test_the_runbook_explains_every_alert() -> None:
    runbook = RUNBOOK.read_text()
    headings = re.findall(r"^### (\w+)$", runbook, flags=re.MULTILINE)
    assert set(headings) >= EXPECTED_ALERTS
    for alert in EXPECTED_ALERTS:
        section = runbook.split(f"### {alert}\n", 1)[1].split("\n### ", 1)[0]
        for part in ("**Means**", "**Confirm**", "**Do**"):
            assert part in section, (alert, part)


@pytest.mark.parametrize("path", [RULES, PROMETHEUS_RULE], ids=lambda path: path.name)
def test_rules_name_only_known_metric_families(path: Path) -> None:
    # The families themselves are checked against a live /metrics in tests/integration/test_alert_metrics.py.
    text = path.read_text()
    names = set(re.findall(r"\b(autos_graph_[a-z_]+|process_[a-z_]+)\b", text))
    assert "autos_graph_dependency_up" in names
    assert "process_start_time_seconds" in names
