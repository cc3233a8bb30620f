"""Security headers (contract §12) on the login page, with HSTS only in production."""

from __future__ import annotations

import pytest

from facturino_verify.checks import remedies
from facturino_verify.checks.http import expect_header, expect_headers_absent
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_security_header_has_expected_value(
    probes: Probes, environment: Environment, security_header: str
) -> None:
    expected = environment.expect.headers[security_header]
    expect_header(probes.result("login_page"), security_header, expected, remedies.HEADERS)


def test_hsts_matches_app_env(probes: Probes, environment: Environment) -> None:
    response = probes.result("login_page")
    hsts = environment.expected_hsts
    if hsts is None:
        expect_headers_absent(
            response, ["Strict-Transport-Security"], "no HSTS outside production", remedies.HEADERS
        )
    else:
        expect_header(response, "Strict-Transport-Security", hsts, remedies.HEADERS)
