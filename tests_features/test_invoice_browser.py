"""Runbook 'Create Invoice', as the admin sees it: the new invoice is listed in the SPA."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from facturino_verify.checks import invoice
from facturino_verify.runs.flows import InvoiceUnderTest

pytestmark = [
    pytest.mark.features,
    pytest.mark.writes,
    pytest.mark.browser,
    pytest.mark.admin_account,
]


def test_created_invoice_appears_in_the_invoices_list(
    admin_page: Page, invoice_under_test: InvoiceUnderTest
) -> None:
    admin_page.goto("/admin/invoices")
    # The SPA renders the list twice (cards for narrow screens, a table for wide ones) and hides
    # one with CSS: wait for the copy a user sees.
    row = admin_page.get_by_text(invoice_under_test.number, exact=True).filter(visible=True).first
    with contextlib.suppress(PlaywrightTimeout):  # judged below with what the page shows
        row.wait_for(state="visible")
    invoice.expect_listed(admin_page.url, admin_page.inner_text("body"), invoice_under_test.number)
