"""Runbook 'Login' through the API the SPA uses (contract §4.3), on the shared admin session.

The shared session's own login is the flow under test: csrf-cookie → login with X-XSRF-TOKEN
and a stateful Referer → bootstrap. It costs the run's one admin login (auth budget: 5/min).
"""

from __future__ import annotations

from typing import Any

import pytest

from facturino_verify.checks import login
from facturino_verify.plugin.deployment import Deployment

pytestmark = [pytest.mark.features, pytest.mark.admin_account]


def test_csrf_cookie_answers_204_with_xsrf_token(deployment: Deployment) -> None:
    session = deployment.session("admin")
    session.client()
    login.expect_csrf_cookie(session.login_exchange[0])


def test_api_login_sends_xsrf_header_and_stateful_referer(deployment: Deployment) -> None:
    session = deployment.session("admin")
    session.client()
    csrf, answer = session.login_exchange
    sent = answer.request.headers
    login.expect_login_headers(
        sent.get("X-XSRF-TOKEN"),
        csrf.cookies.get("XSRF-TOKEN") or "",
        sent.get("Referer") or sent.get("Origin"),
        deployment.http.base_url,
    )


def test_api_login_accepts_the_admin_account(deployment: Deployment) -> None:
    session = deployment.session("admin")
    session.client()
    login.expect_login_succeeded(session.login_exchange[1])


def test_bootstrap_answers_with_current_company_and_feature_flags(
    admin_bootstrap: dict[str, Any],
) -> None:
    assert admin_bootstrap["current_company"]["id"] > 0
