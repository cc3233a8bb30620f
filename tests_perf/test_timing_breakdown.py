"""Runbook `curl -w "@curl-format.txt"`: where the time of a fresh request goes.

DNS, TCP connect, TLS handshake, time to first byte and total, per endpoint, in the report;
the connection set-up has its own budget, so a slow TLS terminator or a far-away runner is
named as such and never counted against the app.
"""

from __future__ import annotations

import pytest

from facturino_verify.checks import perf
from facturino_verify.config import Environment
from facturino_verify.runs.perf import EndpointTimer

pytestmark = [pytest.mark.perf, pytest.mark.admin_account]


def test_connection_timing_within_budget(
    perf_timer: EndpointTimer, endpoint: str, environment: Environment
) -> None:
    timings = perf_timer.breakdown(endpoint)
    perf.expect_connection_setup_within(
        environment.perf.endpoints[endpoint], timings, environment.perf.connection_setup_max_ms
    )
