"""Runbook 'Partner: access partner dashboard → commission data loads', in Chromium.

The partner's page shows its commission widgets with the figures the API serves (the page is
opened with the shared partner session's cookies: no extra login).
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from facturino_verify.checks import partner
from facturino_verify.clients.facturino_api import FacturinoApi
from facturino_verify.config import Environment

pytestmark = [pytest.mark.features, pytest.mark.browser, pytest.mark.partner_account]
WIDGETS = ("total_earnings", "monthly_commissions", "pending_payout", "active_clients")


def test_partner_dashboard_renders_commission_widgets_with_api_figures(
    partner_page: Page, partner_api: FacturinoApi, environment: Environment
) -> None:
    api = partner.expect_dashboard_keys(partner_api.partner("dashboard"))
    partner_page.goto("/admin/partner/dashboard")
    selector = environment.features.partner_widget_selector
    first = partner_page.locator(selector.format(name=WIDGETS[0].replace("_", "-"))).first
    with contextlib.suppress(PlaywrightTimeout):  # judged below with what the page shows
        first.wait_for(state="visible")
    shown: dict[str, str | None] = {}
    for name in WIDGETS:
        widget = partner_page.locator(selector.format(name=name.replace("_", "-"))).first
        visible = widget.count() > 0 and widget.is_visible()
        shown[name] = (
            (widget.get_attribute("data-value") or widget.inner_text()) if visible else None
        )
    partner.expect_widgets_show(partner_page.url, shown, api["data"])
