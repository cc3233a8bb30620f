"""Runbook 'Partner: access partner dashboard → commission data loads', in Chromium.

The page is opened with the shared partner session's cookies (no extra login). The SPA draws
the figures as statistics cards (title and value, in the UI language of `<html lang>`), so the
cards are read by their titles and compared with what the API serves.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from facturino_verify.checks import partner, partner_ui
from facturino_verify.clients.facturino_api import FacturinoApi
from facturino_verify.config import Environment

pytestmark = [pytest.mark.features, pytest.mark.browser, pytest.mark.partner_account]
DASHBOARD = "/admin/partner/dashboard"


def _open_dashboard(page: Page, environment: Environment) -> list[str]:
    """Load the dashboard and wait until it drew its cards or its empty state (judged by the
    caller with what the page shows); the cards' texts."""
    cards = page.locator(environment.features.partner_widget_selector)
    empty = page.get_by_text(partner_ui.EMPTY_STATE[0]).or_(
        page.get_by_text(partner_ui.EMPTY_STATE[1])
    )
    page.goto(DASHBOARD)
    with contextlib.suppress(PlaywrightTimeout):
        cards.first.or_(empty.first).wait_for(state="visible")
    # The commissions table and the Stripe banner arrive with later calls: let them land.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle")
    return [card.inner_text() for card in cards.all() if card.is_visible()]


def test_partner_dashboard_renders_commission_widgets_with_api_figures(
    partner_page: Page,
    partner_api: FacturinoApi,
    environment: Environment,
    record_property: pytest.RecordProperty,
) -> None:
    api = partner.expect_dashboard_keys(partner_api.partner("dashboard"))
    cards = _open_dashboard(partner_page, environment)
    locale = partner_ui.expect_cards_show(
        partner_page.url, cards, partner_page.inner_text("body"), api["data"]
    )
    record_property("partner_dashboard_locale", locale)


def test_partner_dashboard_shows_no_raw_translation_keys(
    partner_page: Page, environment: Environment
) -> None:
    cards = _open_dashboard(partner_page, environment)
    text = partner_page.inner_text("body")
    partner_ui.expect_dashboard_rendered(partner_page.url, len(cards), text)
    partner_ui.expect_no_raw_keys(partner_page.url, text)
