"""Runbook feature table, 'Login: Visit /admin/login → Login page loads' (no browser needed)."""

from __future__ import annotations

import pytest

from facturino_verify.checks import app, remedies
from facturino_verify.checks.http import expect_status
from facturino_verify.plugin.probes import Probes

pytestmark = pytest.mark.smoke


def test_login_page_shows_login_form(probes: Probes) -> None:
    app.expect_login_form(probes.result("login_page"))


def test_login_page_js_bundle_is_served(probes: Probes) -> None:
    for asset in probes.login_assets():
        expect_status(asset, 200, f"{asset.request.url.path} is served", remedies.LOGIN)
