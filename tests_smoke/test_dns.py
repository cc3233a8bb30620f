"""Runbook 'Domain Configuration': an A record for the app's host, a CNAME `www` to it."""

from __future__ import annotations

import pytest

from facturino_verify.checks import dns
from facturino_verify.config import Environment
from facturino_verify.config.dns import expected_cnames
from facturino_verify.runs.dns import A_PROBE, cname_probe
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.dns]


def test_dns_app_host_has_a_record(probes: Probes, environment: Environment) -> None:
    dns.expect_a_record(probes.result(A_PROBE), environment.dns.addresses)


def test_dns_cname_points_at_the_app(
    probes: Probes, environment: Environment, dns_cname: str
) -> None:
    """Each `[dns] cnames` name (the runbook's `www`) is a CNAME to its target."""
    target = expected_cnames(environment.dns, environment.target.host)[dns_cname]
    dns.expect_cname(probes.result(cname_probe(dns_cname)), target)
