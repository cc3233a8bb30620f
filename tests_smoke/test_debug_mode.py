"""APP_DEBUG must be off: no debug headers, no traces in errors, no debug tools served."""

from __future__ import annotations

import pytest

from facturino_verify.checks import app
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("probe", ["ping", "up"])
def test_no_debug_headers_on_ordinary_responses(probes: Probes, probe: str) -> None:
    app.expect_no_debug_headers(probes.result(probe))


def test_json_error_carries_no_exception_trace(probes: Probes) -> None:
    app.expect_error_without_trace(probes.result("json_error"), allowed={404})


def test_debug_endpoint_is_not_served(probes: Probes, debug_path: str) -> None:
    app.expect_not_served(probes.result(f"debug_path {debug_path}"))
