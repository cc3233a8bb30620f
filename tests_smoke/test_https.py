"""Runbook 'SSL Certificate: Verify HTTPS': redirect, trusted certificate, enough lifetime."""

from __future__ import annotations

import pytest

from facturino_verify.checks import security
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_http_redirects_to_https(probes: Probes, environment: Environment) -> None:
    if not environment.expect.tls.https_redirect:
        pytest.skip("[expect.tls] https_redirect = false for this environment")
    security.expect_redirects_to_https(probes.result("http_redirect"), environment.target.url)


def test_certificate_is_valid_for_host(probes: Probes, environment: Environment) -> None:
    security.expect_certificate_trusted(probes.result("certificate"), environment.target.host)


def test_certificate_does_not_expire_soon(probes: Probes, environment: Environment) -> None:
    security.expect_certificate_lifetime(
        probes.result("certificate"), environment.expect.tls.min_days_valid
    )


def test_certificate_is_issued_by_expected_ca(probes: Probes, environment: Environment) -> None:
    """The runbook: Let's Encrypt (`[expect.tls] issuer_organization`)."""
    security.expect_certificate_issuer(
        probes.result("certificate"), environment.expect.tls.issuer_organization
    )
