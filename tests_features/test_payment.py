"""Runbook 'Payment: test Paddle checkout → payment flow works' (contract §8).

At HEAD the company checkout is Stripe; Paddle, Stripe and CPAY deliver webhooks. Read-only: the
subscription endpoint answers and each webhook endpoint is routed and refuses an unsigned delivery
exactly as the contract says, storing nothing. Where writes are allowed (staging/sandbox): a
checkout session is created and its checkout_url loads in the browser.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page

from facturino_verify.checks import payment
from facturino_verify.clients import DatabaseClient, featuredb
from facturino_verify.clients.facturino_api import FacturinoApi, unsigned_webhook
from facturino_verify.runs.deployment import Deployment

pytestmark = [pytest.mark.features]


@pytest.mark.admin_account
def test_subscription_endpoint_answers_with_tiers_and_current_plan(
    admin_api: FacturinoApi,
) -> None:
    assert admin_api.company_id is not None
    payment.expect_subscription(admin_api.subscription(admin_api.company_id))


def test_webhook_refuses_an_unsigned_delivery(deployment: Deployment, provider: str) -> None:
    payment.expect_webhook_refused(unsigned_webhook(deployment.http, provider), provider)


@pytest.mark.db
def test_refused_webhook_stores_no_event(
    deployment: Deployment, postgres: DatabaseClient, provider: str
) -> None:
    before = featuredb.webhook_events_count(postgres)
    unsigned_webhook(deployment.http, provider)
    payment.expect_no_webhook_stored(before, featuredb.webhook_events_count(postgres), provider)


@pytest.mark.writes
@pytest.mark.admin_account
def test_checkout_session_is_created(checkout_session: httpx.Response) -> None:
    payment.expect_checkout_session(checkout_session)


@pytest.mark.writes
@pytest.mark.browser
@pytest.mark.admin_account
def test_checkout_url_loads_in_the_browser(
    checkout_session: httpx.Response, visitor_page: Page
) -> None:
    url = payment.expect_checkout_session(checkout_session)
    answer = visitor_page.goto(url)
    payment.expect_checkout_page(url, answer.status if answer else 0, visitor_page.title())
