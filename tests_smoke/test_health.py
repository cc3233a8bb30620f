"""`GET /health`: one result per subsystem, so the report names the one that is down."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import app, health, remedies
from facturino_verify.checks.http import expect_status
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes
from facturino_verify.verdict.causes import CAUSED_BY

pytestmark = pytest.mark.smoke


def _caused_by(probes: Probes, record_property: Callable[[str, object], None]) -> list[str]:
    """An aggregate failure is as grave as the sub-checks behind it (a stale backup blocks, it
    does not roll back): the verdict reads this property. The sub-checks that answered false."""
    failing = app.failing_subsystems(probes.result("health"))
    if failing:
        record_property(CAUSED_BY, ",".join(f"test_health_check_passes[{n}]" for n in failing))
    return failing


def test_health_returns_200(probes: Probes, record_property: Callable[[str, object], None]) -> None:
    remedy = remedies.health_caused_by(_caused_by(probes, record_property))
    expect_status(probes.result("health"), 200, "GET /health answers 200", remedy)


def test_health_status_is_healthy(
    probes: Probes, record_property: Callable[[str, object], None]
) -> None:
    _caused_by(probes, record_property)
    app.expect_health_status(app.health_payload(probes.result("health")))


def test_health_check_passes(probes: Probes, health_check: str, environment: Environment) -> None:
    app.expect_health_check(app.health_payload(probes.result("health")), health_check)
    if health_check in environment.expect.health_checks_cannot_fail:
        # A `true` this app's controller returns whatever the state: reported, not counted.
        pytest.skip(health.not_evidence(health_check))


def test_health_reports_expected_environment(probes: Probes, environment_name: str) -> None:
    app.expect_environment(app.health_payload(probes.result("health")), environment_name)
