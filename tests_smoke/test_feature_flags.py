"""Runbook FEATURE_* matrix, and FEATURE_PARTNER_MOCKED_DATA=false ('IMPORTANT in production')."""

from __future__ import annotations

import pytest

from facturino_verify.checks import observability, remedies
from facturino_verify.checks.http import expect_status, json_body
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


@pytest.mark.admin_account
def test_feature_flags_match_expected_matrix(probes: Probes, environment: Environment) -> None:
    response = probes.result("admin.bootstrap")
    expect_status(response, 200, "GET /api/v1/bootstrap answers 200", remedies.LOGIN)
    flags = json_body(response, "bootstrap answers JSON", remedies.LOGIN).get("feature_flags", {})
    observability.expect_feature_flags(flags, environment.expect.feature_flags)


@pytest.mark.partner_account
@pytest.mark.parametrize("endpoint", ["dashboard", "commissions"])
def test_partner_data_is_not_mocked(probes: Probes, endpoint: str) -> None:
    response = probes.result(f"partner.{endpoint}")
    expect_status(response, 200, f"GET /api/v1/partner/{endpoint} answers 200", remedies.LOGIN)
    body = json_body(response, f"/api/v1/partner/{endpoint} answers JSON", remedies.LOGIN)
    observability.expect_not_mocked(body, f"/api/v1/partner/{endpoint}")
