"""Runbook §Health Checks, 'Application Health': `curl https://app.facturino.mk/up` → 200."""

from __future__ import annotations

import pytest

from facturino_verify.checks import app
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_up_returns_200_application_up(probes: Probes) -> None:
    app.expect_application_up(probes.result("up"))


def test_up_is_not_in_maintenance_mode(probes: Probes) -> None:
    app.expect_not_in_maintenance(probes.result("up"))
