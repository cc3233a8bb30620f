"""What two of /health's sub-checks were written for, judged from the database: the real
HealthController cannot fail them (checks/health.py says why), so its `true` proves nothing."""

from __future__ import annotations

import pytest

from facturino_verify.checks import health
from facturino_verify.checks.health import Certificate
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.db]


def test_company_certificates_do_not_expire_within_30_days(
    probes: Probes, environment: Environment
) -> None:
    expiring = [Certificate(*row) for row in probes.result("db.certificates")]
    health.expect_certificates_not_expiring(
        expiring, environment.thresholds.company_certificate_min_days
    )


def test_bank_sync_jobs_are_not_failing(probes: Probes, environment: Environment) -> None:
    health.expect_bank_syncs_not_failing(
        probes.result("db.bank_sync"), environment.thresholds.bank_sync_failures_24h_max
    )
