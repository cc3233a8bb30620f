"""Runbook 'Partner: access partner dashboard → commission data loads' (contract §9).

As the partner test account: the API answers with the contract's keys, is not mocked and agrees
with affiliate_events/payouts in the database; the dashboard renders its commission widgets in
the browser. A non-partner (the admin) is refused with 403.
"""

from __future__ import annotations

import pytest

from facturino_verify.checks import observability, partner
from facturino_verify.clients import featuredb
from facturino_verify.clients.facturino_api import FacturinoApi

pytestmark = [pytest.mark.features, pytest.mark.partner_account]


def test_partner_dashboard_has_the_contract_keys(partner_api: FacturinoApi) -> None:
    partner.expect_dashboard_keys(partner_api.partner("dashboard"))


def test_partner_commissions_have_the_contract_keys(partner_api: FacturinoApi) -> None:
    partner.expect_commissions_keys(partner_api.partner("commissions"))


@pytest.mark.parametrize("endpoint", ["dashboard", "commissions"])
def test_partner_api_is_not_mocked(partner_api: FacturinoApi, endpoint: str) -> None:
    body = partner.partner_body(partner_api.partner(endpoint), endpoint)
    observability.expect_not_mocked(body, f"/api/v1/partner/{endpoint}")


@pytest.mark.db
def test_partner_dashboard_agrees_with_affiliate_events_and_payouts(
    partner_api: FacturinoApi, partner_ledger: featuredb.PartnerLedger
) -> None:
    body = partner.expect_dashboard_keys(partner_api.partner("dashboard"))
    partner.expect_dashboard_matches_ledger(body, partner_ledger)


@pytest.mark.db
def test_partner_commissions_agree_with_affiliate_events(
    partner_api: FacturinoApi, partner_ledger: featuredb.PartnerLedger
) -> None:
    rows = partner.expect_commissions_keys(partner_api.partner("commissions"))
    partner.expect_commissions_match_ledger(rows, partner_ledger, "/api/v1/partner/commissions")


@pytest.mark.admin_account
def test_non_partner_gets_403_from_the_partner_api(admin_api: FacturinoApi) -> None:
    """Judged for the account's role (the login answer's): a super admin passes the partner
    scope by design and a partner is none, so either is skipped with the reason."""
    response = admin_api.partner("dashboard")
    if reason := partner.partner_scope_not_judged_because(admin_api.session.user, response):
        pytest.skip(reason)
    partner.expect_not_a_partner(response)
