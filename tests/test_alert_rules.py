"""monitoring/alerts.yml, the alert rules users load into their Prometheus: valid for promtool,
and each alert unit-tested (monitoring/alerts.test.yml) on a series that must fire it and one
that must not, also while its `for:` window runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

MONITORING = Path(__file__).resolve().parent.parent / "monitoring"
RULES, UNIT_TESTS = MONITORING / "alerts.yml", MONITORING / "alerts.test.yml"
# The runbook's three alerts and the two it implies (down > 2 min, certificates). Backups have
# no rule: the app exports no backup figure (the daily checks watch them).
EXPECTED = {
    "HighErrorRate",
    "SlowResponseTime",
    "QueueBacklog",
    "TargetDown",
    "CertificateExpiringSoon",
}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool not found: install Debian's `prometheus` (make setup)")
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False, timeout=60)


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_promtool_check_rules_accepts_the_alert_rules() -> None:
    done = promtool("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(EXPECTED)} rules found" in done.stdout


def test_promtool_test_rules_passes_every_alert_unit_test() -> None:
    done = promtool("test", "rules", str(UNIT_TESTS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_runbooks_alerts_are_defined_and_keep_job_and_instance() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert set(by_name) == EXPECTED
    for name, rule in by_name.items():
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert "for" in rule, f"{name} fires on a single evaluation"
        expr = rule["expr"]
        # Aggregations keep the target's labels, so `pytest -m monitoring` finds its alerts.
        assert "sum(" not in expr.replace(" ", "") and "max(" not in expr.replace(" ", ""), name


def series_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (labels, durations and functions removed)."""
    bare = re.sub(r'"[^"]*"|\{[^}]*\}|\[[^\]]*\]|\bby\s*\([^)]*\)', " ", expr)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", bare))
    return words - {"sum", "rate", "histogram_quantile", "max", "or", "and", "time"}


def test_alert_rules_read_only_names_the_app_exports() -> None:
    """Every series a rule reads is one the fixed app exports (the exporter's `fakturino`
    namespace), Prometheus's own `up`, or the blackbox exporter's certificate probe."""
    assert series_names('sum by (job) (rate(x_total{a="b"}[5m])) or max(y) > 1') == {
        "x_total",
        "y",
    }
    outside = {"up", "probe_ssl_earliest_cert_expiry"}
    for rule in rules():
        names = series_names(rule["expr"])
        unknown = {n for n in names - outside if not n.startswith("fakturino_")}
        assert names and unknown == set(), f"{rule['alert']} reads {sorted(unknown)}"


def test_every_alert_has_a_firing_a_quiet_and_a_pending_case() -> None:
    """Unit tests: an expected alert for one instance while another instance's series exist
    (and must stay quiet), and an evaluation inside `for:` where nothing fires yet."""
    cases = yaml.safe_load(UNIT_TESTS.read_text())["tests"]
    for name in EXPECTED:
        fired, pending, quiet = False, False, False
        for case in cases:
            checks = [c for c in case.get("alert_rule_test", []) if c["alertname"] == name]
            instances = {
                s["series"].split('instance="', 1)[1].split('"', 1)[0]
                for s in case["input_series"]
                if 'instance="' in s["series"]
            }
            for check in checks:
                expected = {a["exp_labels"]["instance"] for a in check.get("exp_alerts") or []}
                fired |= bool(expected)
                pending |= not expected
                quiet |= bool(expected) and bool(instances - expected)
        assert fired and pending and quiet, f"{name}: fired={fired} pending={pending} quiet={quiet}"
