"""Session and XSRF cookies with the runbook's flags (SEC-01-03) and the intended name."""

from __future__ import annotations

import pytest

from facturino_verify.checks import security
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def login_cookie(probes: Probes, name: str) -> security.Cookie:
    """The cookie ``name`` as the login page sets it for a fresh visitor."""
    __tracebackhide__ = True
    cookies = security.parse_set_cookies(probes.result("login_page"))
    return security.require_cookie(cookies, name, "the login page")


def test_session_cookie_has_expected_name(probes: Probes, environment: Environment) -> None:
    cookie = login_cookie(probes, environment.session_cookie_name)
    assert cookie.value, f"{cookie.name} is empty"


def test_session_cookie_secure_flag(probes: Probes, environment: Environment) -> None:
    cookie = login_cookie(probes, environment.session_cookie_name)
    security.expect_cookie_flag(cookie, "secure", environment.expect.cookies.secure)


def test_session_cookie_http_only_flag(probes: Probes, environment: Environment) -> None:
    cookie = login_cookie(probes, environment.session_cookie_name)
    security.expect_cookie_flag(cookie, "httponly", environment.expect.cookies.http_only)


def test_session_cookie_same_site(probes: Probes, environment: Environment) -> None:
    cookie = login_cookie(probes, environment.session_cookie_name)
    security.expect_cookie_same_site(cookie, environment.expect.cookies.same_site)


def test_xsrf_cookie_is_readable_by_the_spa(probes: Probes) -> None:
    security.expect_cookie_flag(login_cookie(probes, "XSRF-TOKEN"), "httponly", False)
