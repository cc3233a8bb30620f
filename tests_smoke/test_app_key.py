"""The deployment must not use the APP_KEY committed in .env.example (contract §13)."""

from __future__ import annotations

import pytest

from facturino_verify.checks import security
from facturino_verify.config import APP_KEY_EXAMPLE
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_app_key_is_not_the_public_example(probes: Probes) -> None:
    cookies = security.parse_set_cookies(probes.result("login_page"))
    xsrf = security.require_cookie(cookies, "XSRF-TOKEN", "the login page")
    # Without a real encrypted payload the MAC test below would pass vacuously.
    security.expect_cookie_is_laravel_encrypted(xsrf)
    security.expect_mac_not_valid_with(xsrf, APP_KEY_EXAMPLE)
