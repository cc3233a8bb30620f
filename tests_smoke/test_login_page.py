"""Runbook feature table, 'Login: Visit /admin/login → Login page loads'.

The real login page is the SPA shell (resources/views/app.blade.php): the HTML only boots the
front end, and Login.vue draws form#loginForm in the browser. So the HTML is judged as a shell,
its build files as files, and the form where a browser is allowed (the probe renders it in
Chromium concurrently with the other probes).
"""

from __future__ import annotations

import pytest

from facturino_verify.checks import app, spa
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_login_page_serves_the_spa_shell(probes: Probes) -> None:
    app.expect_spa_shell(probes.result("login_page"))


def test_login_page_js_bundle_is_served(probes: Probes) -> None:
    page = app.spa_shell_page(probes.result("login_page"))
    app.login_bundle_paths(page)
    for asset in probes.result("login_assets"):
        app.expect_asset_served(asset)


@pytest.mark.browser
def test_login_page_shows_login_form(probes: Probes) -> None:
    spa.expect_login_form_rendered(probes.result("login_render"))
