"""Runbook 'Access Prometheus Metrics': `/metrics` returns Prometheus-formatted metrics, "admin
auth required". The real app serves /metrics with no auth behind the monitoring feature flag
only (routes/web.php:170); what an anonymous request must get is `[metrics] expect`."""

from __future__ import annotations

import pytest

from facturino_verify.checks import metrics, remedies
from facturino_verify.checks.http import expect_status, json_body
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes, metrics_probe

pytestmark = pytest.mark.smoke


def test_metrics_anonymous_access_matches_expectation(
    probes: Probes, environment: Environment
) -> None:
    response = probes.result("metrics_anonymous")
    expect = environment.metrics.expect
    if expect == "auth_required":
        metrics.expect_metrics_refused(response)
    elif expect == "disabled":
        metrics.expect_metrics_disabled(response)
    else:
        metrics.expect_metrics_open(response)


@pytest.mark.metrics_auth
def test_metrics_exposition_has_expected_families(probes: Probes, environment: Environment) -> None:
    families = metrics.metric_families(probes.result(metrics_probe(environment)))
    metrics.expect_metric_families(families, environment.metrics.families)


@pytest.mark.admin_account
def test_metrics_route_agrees_with_monitoring_flag(probes: Probes) -> None:
    """Runbook: the production flag matrix has monitoring on. The admin sees the flag from the
    database first; the route follows only FEATURE_MONITORING (FeatureMiddleware)."""
    bootstrap = probes.result("admin.bootstrap")
    expect_status(bootstrap, 200, "GET /api/v1/bootstrap answers 200", remedies.LOGIN)
    flags = json_body(bootstrap, "bootstrap answers JSON", remedies.LOGIN).get("feature_flags", {})
    flag = flags.get("monitoring") if isinstance(flags, dict) else None
    metrics.expect_route_matches_flag(flag, probes.result("metrics_anonymous"))
