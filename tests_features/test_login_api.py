"""Runbook 'Login' through the API the SPA uses (contract §4.3), on the shared admin session.

The shared session's own login is the flow under test: csrf-cookie → login with X-XSRF-TOKEN
and a stateful Referer → bootstrap. It costs the run's one admin login (auth budget: 5/min);
where the shared session was resumed from an earlier run, one session logs in for these tests.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest

from facturino_verify.checks import login
from facturino_verify.clients.errors import TargetError
from facturino_verify.clients.sanctum import SanctumSession
from facturino_verify.runs.deployment import Deployment

pytestmark = [pytest.mark.features, pytest.mark.admin_account]


def _logged_in_or_not(deployment: Deployment) -> SanctumSession:
    """The shared admin session after its one login attempt, whatever the outcome: these
    tests judge the recorded exchange (a refused login still recorded both answers)."""
    session = deployment.login_flow("admin")
    with contextlib.suppress(TargetError):
        session.client()
    return session


def _login_answer(session: SanctumSession) -> httpx.Response:
    """The login's last answer (after a 429 waited out, the retry's). A 429 that could not be
    waited out is not judged: the remembered AuthThrottled speaks."""
    if len(session.login_exchange) < 2 or session.login_exchange[-1].status_code == 429:
        session.client()  # the login was never sent, or was throttled: let the reason speak
    return session.login_exchange[-1]


def test_csrf_cookie_answers_204_with_xsrf_token(deployment: Deployment) -> None:
    session = _logged_in_or_not(deployment)
    if not session.login_exchange:
        session.client()  # nothing was exchanged: let the connection error speak
    login.expect_csrf_cookie(session.login_exchange[0])


def test_api_login_sends_xsrf_header_and_stateful_referer(deployment: Deployment) -> None:
    """Every login POST the client sent (a 429's retry too) carries the XSRF-TOKEN cookie the
    client held when it sent it, and a stateful Referer."""
    session = _logged_in_or_not(deployment)
    if len(session.login_exchange) < 2:
        session.client()  # the login was never sent: let the reason speak
    for answer, cookie in login.cookies_held_at_each_login(session.login_exchange):
        sent = answer.request.headers
        login.expect_login_headers(
            sent.get("X-XSRF-TOKEN"),
            cookie,
            sent.get("Referer") or sent.get("Origin"),
            deployment.http.base_url,
        )


def test_api_login_accepts_the_admin_account(deployment: Deployment) -> None:
    session = _logged_in_or_not(deployment)
    login.expect_login_succeeded(_login_answer(session))


def test_bootstrap_answers_with_current_company_and_feature_flags(
    admin_bootstrap: dict[str, Any],
) -> None:
    assert admin_bootstrap["current_company"]["id"] > 0
