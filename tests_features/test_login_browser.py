"""Runbook 'Login: visit /admin/login → login page loads', driven in Chromium as a user does.

Auth budget (the app allows 5 auth calls/min per IP; a smoke + features run spends 5): the shared
admin and partner sessions (1 each), the sign-in here (1), its sign-out (1), the wrong password (1).
The logout → 401 part of the API flow is checked on this real browser session, not on a second
API login, to stay within that budget.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from facturino_verify.checks import login, remedies
from facturino_verify.config import Environment
from facturino_verify.runs.deployment import Deployment

pytestmark = [pytest.mark.features, pytest.mark.browser, pytest.mark.admin_account]
FORM = "form#loginForm"
# A call from inside the page, as the SPA's axios makes it: same-origin cookies, the page as
# Referer, X-XSRF-TOKEN mirrored from the cookie (Playwright's own request API would bypass the
# browser's TLS trust and Referer).
SPA_FETCH = """async ([method, path]) => {
  const xsrf = decodeURIComponent((document.cookie.split('; ')
    .find((c) => c.startsWith('XSRF-TOKEN=')) || '=').split('=')[1]);
  const r = await fetch(path, {method, credentials: 'same-origin', headers: {
    'Accept': 'application/json', 'Content-Type': 'application/json',
    'X-Requested-With': 'XMLHttpRequest', 'X-XSRF-TOKEN': xsrf}});
  return [r.status, await r.text()];
}"""


def _open_login(page: Page, environment: Environment) -> None:
    page.goto(environment.target.login_path)
    page.wait_for_selector(FORM, state="visible")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _submit(page: Page, email: str, password: str) -> None:
    page.fill(f'{FORM} input[name="email"]', email)
    page.fill(f'{FORM} input[name="password"]', password)
    page.click(f'{FORM} button[type="submit"]')


def test_login_path_shows_the_login_form(visitor_page: Page, environment: Environment) -> None:
    _open_login(visitor_page, environment)
    login.expect_path(
        visitor_page.url,
        "/login",
        f"{environment.target.login_path} lands on the SPA login page",
        remedies.LOGIN,
    )


def test_admin_signs_in_reaches_dashboard_and_signs_out(
    visitor_page: Page, environment: Environment, deployment: Deployment
) -> None:
    page, account = visitor_page, environment.accounts["admin"]
    _open_login(page, environment)
    deployment.auth_budget.spend("browser sign-in as admin")
    with page.expect_response("**/api/v1/auth/login") as answered:
        _submit(page, account.email, account.password.get_secret_value())
    answer = answered.value
    if answer.status != 200:  # on 200 the SPA navigates away and the body is gone
        login.expect_login_answer(answer.status, _json(answer.text()))
    sent = answer.request.all_headers()
    with contextlib.suppress(PlaywrightTimeout):  # judged just below, with the URL reached
        page.wait_for_url("**/admin/dashboard")
    login.expect_path(
        page.url, "/admin/dashboard", "signing in reaches /admin/dashboard", remedies.LOGIN_REJECTED
    )
    # The cookie the request carried (the login answer rotates XSRF-TOKEN).
    carried = dict(part.strip().partition("=")[::2] for part in sent.get("cookie", "").split(";"))
    login.expect_login_headers(
        sent.get("x-xsrf-token"),
        carried.get("XSRF-TOKEN", ""),
        sent.get("referer") or sent.get("origin"),
        environment.target.url,
    )
    # Leave the SPA before signing out. A request it still has in flight (the dashboard asks for
    # its figures after bootstrap, so "network idle" can come too early) finishes after the
    # logout, writes the old session back (Laravel's StartSession saves every request's
    # session) and its Set-Cookie puts the browser back on it: a race the real app has too,
    # measured here as 2 false failures in 5 runs, not a logout that failed. /up runs no script.
    page.goto("/up")
    deployment.auth_budget.spend("browser sign-out as admin")
    status, body = page.evaluate(SPA_FETCH, ["POST", "/api/v1/auth/logout"])
    login.expect_logged_out(status, _json(body))
    status, body = page.evaluate(SPA_FETCH, ["GET", "/api/v1/bootstrap"])
    login.expect_unauthenticated(status, body)


def test_wrong_password_shows_error_and_stays_on_login(
    visitor_page: Page, environment: Environment, deployment: Deployment, run_tag: str
) -> None:
    page = visitor_page
    _open_login(page, environment)
    deployment.auth_budget.spend("browser sign-in refused (wrong credentials)")
    with page.expect_response("**/api/v1/auth/login") as answered:
        _submit(page, environment.accounts["admin"].email, f"wrong-{run_tag}")
    # The SPA's toast (title "Error", gone after 5 s): the expected message, or whatever error it
    # shows instead (a 429's "Too Many Attempts.", a 419's "CSRF token mismatch.").
    message = page.get_by_text(login.WRONG_CREDENTIALS).or_(page.get_by_text("Error", exact=True))
    with contextlib.suppress(PlaywrightTimeout):  # judged just below, with what the page shows
        message.first.wait_for(state="visible")
    shown = page.inner_text("body")
    answer = answered.value
    login.expect_wrong_password_rejected(
        page.url, shown, f"HTTP {answer.status}: {answer.text()[:160]}"
    )
