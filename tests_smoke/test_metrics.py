"""Runbook 'Access Prometheus Metrics': `/metrics` returns metrics, admin auth required."""

from __future__ import annotations

import pytest

from facturino_verify.checks import observability
from facturino_verify.config import Environment
from facturino_verify.plugin.probes import Probes

pytestmark = pytest.mark.smoke


def test_metrics_anonymous_access_matches_expectation(
    probes: Probes, environment: Environment
) -> None:
    response = probes.result("metrics_anonymous")
    expect = environment.metrics.expect
    if expect == "auth_required":
        observability.expect_metrics_refused(response)
    elif expect == "disabled":
        observability.expect_metrics_disabled(response)
    else:
        observability.metric_families(response)


@pytest.mark.metrics_auth
def test_metrics_exposition_has_expected_families(probes: Probes, environment: Environment) -> None:
    if environment.metrics.expect == "disabled":
        pytest.skip("[metrics] expect = 'disabled': there is no exposition to read")
    families = observability.metric_families(probes.result("metrics"))
    observability.expect_metric_families(families, environment.metrics.families)
