"""Partner portal: the contract's keys, and agreement with affiliate_events/payouts (§9)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import httpx

from . import remedies
from .base import fail, shorten
from .http import expect_status, json_body

DASHBOARD_DATA = (
    "active_clients",
    "monthly_commissions",
    "processed_invoices",
    "total_earnings",
    "pending_payout",
)
DASHBOARD_TOP = ("data", "earningsHistory", "recentCommissions", "nextPayout")
COMMISSION_KEYS = ("id", "company_name", "event_type", "amount", "created_at", "paid_at")
if TYPE_CHECKING:  # the shape only: checks take rows, they never query
    from ..clients.featuredb import PartnerLedger

NOT_A_PARTNER = {"error": "User is not registered as a partner"}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def partner_body(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    __tracebackhide__ = True
    claim = f"GET /api/v1/partner/{endpoint} answers the partner"
    expect_status(response, 200, claim, remedies.PARTNER)
    body = json_body(response, claim, remedies.PARTNER)
    if not isinstance(body, dict):
        fail(claim, "a JSON object", shorten(str(body)), remedies.PARTNER)
    return body


def _expect_commission_rows(rows: Any, where: str) -> None:
    __tracebackhide__ = True
    if not isinstance(rows, list):
        fail(f"{where} is a list of commissions", "a list", shorten(str(rows)), remedies.PARTNER)
    for row in rows:
        missing = [k for k in COMMISSION_KEYS if not isinstance(row, dict) or k not in row]
        if missing:
            fail(
                f"every entry of {where} has {', '.join(COMMISSION_KEYS)}",
                "all keys",
                f"{shorten(str(row), 100)} lacks {missing}",
                remedies.PARTNER,
            )


def expect_dashboard_keys(response: httpx.Response) -> dict[str, Any]:
    __tracebackhide__ = True
    body = partner_body(response, "dashboard")
    claim = "the partner dashboard has the contract's keys"
    missing = [k for k in DASHBOARD_TOP if k not in body]
    data = body.get("data")
    missing += [f"data.{k}" for k in DASHBOARD_DATA if not isinstance(data, dict) or k not in data]
    if missing:
        fail(
            claim, ", ".join(DASHBOARD_TOP + DASHBOARD_DATA), f"missing {missing}", remedies.PARTNER
        )
    history = body["earningsHistory"]
    if not isinstance(history, list) or len(history) != 12:
        fail(
            "the dashboard's earningsHistory covers 12 months",
            "12 entries {'month', 'amount'}",
            shorten(str(history)),
            remedies.PARTNER,
        )
    _expect_commission_rows(body["recentCommissions"], "recentCommissions")
    return body


def expect_commissions_keys(response: httpx.Response) -> list[dict[str, Any]]:
    __tracebackhide__ = True
    body = partner_body(response, "commissions")
    _expect_commission_rows(body.get("data"), "commissions data")
    rows: list[dict[str, Any]] = body["data"]
    return rows


def _counted(ledger: PartnerLedger) -> list[dict[str, Any]]:
    return [e for e in ledger.events if not e["is_clawed_back"]]


def _total(events: list[dict[str, Any]]) -> Decimal:
    return sum((_money(e["amount"]) or Decimal(0) for e in events), Decimal("0.00"))


def expect_dashboard_matches_ledger(body: dict[str, Any], ledger: PartnerLedger) -> None:
    """Each figure equals what affiliate_events/payouts/partner_company_links say."""
    __tracebackhide__ = True
    counted = _counted(ledger)
    data = body["data"]
    figures: list[tuple[str, Any, Any]] = [
        ("total_earnings", _total(counted), _money(data["total_earnings"])),
        (
            "pending_payout",
            _total([e for e in counted if e["paid_at"] is None]),
            _money(data["pending_payout"]),
        ),
        (
            "monthly_commissions",
            _total([e for e in counted if e["month_ref"] == ledger.this_month]),
            _money(data["monthly_commissions"]),
        ),
        ("active_clients", ledger.active_clients, data["active_clients"]),
    ]
    for name, want, seen in figures:
        if want != seen:
            fail(
                f"the dashboard's {name} equals the database's",
                f"{want} (affiliate_events/payouts of partner #{ledger.partner_id})",
                data[name],
                remedies.PARTNER,
            )
    payout = ledger.pending_payouts[0] if ledger.pending_payouts else None
    seen_payout = body["nextPayout"]
    want_amount = None if payout is None else _money(payout["amount"])
    seen_amount = _money(seen_payout.get("amount")) if isinstance(seen_payout, dict) else None
    if want_amount != seen_amount:
        fail(
            "the dashboard's nextPayout is the earliest pending payout",
            want_amount,
            seen_payout,
            remedies.PARTNER,
        )
    expect_commissions_match_ledger(body["recentCommissions"], ledger, "recentCommissions")


def expect_commissions_match_ledger(
    rows: list[dict[str, Any]], ledger: PartnerLedger, where: str
) -> None:
    """Listed commissions are this partner's newest events, with the database's amounts."""
    __tracebackhide__ = True
    events = {e["id"]: e for e in ledger.events}
    for row in rows:
        event = events.get(row["id"])
        if event is None or _money(event["amount"]) != _money(row["amount"]):
            fail(
                f"every entry of {where} is one of the partner's affiliate_events",
                "id and amount as in affiliate_events"
                + ("" if event is None else f" (amount {event['amount']})"),
                shorten(str(row), 120),
                remedies.PARTNER,
            )
    newest = [e["id"] for e in ledger.events][: len(rows)]
    newest_counted = [e["id"] for e in _counted(ledger)][: len(rows)]
    listed = [r["id"] for r in rows]
    expected_len = min(10, len(ledger.events))
    if listed not in (newest, newest_counted) or len(rows) not in (
        expected_len,
        min(10, len(_counted(ledger))),
    ):
        fail(
            f"{where} lists the partner's newest events, newest first",
            f"ids {newest_counted or newest}",
            f"ids {listed}",
            remedies.PARTNER,
        )


SUPER_ADMIN_PASSES = (
    "Facturino lets super admins through the partner scope "
    "(app/Http/Middleware/PartnerScopeMiddleware.php:28) and answers them a 200 aggregate with "
    "is_super_admin (Modules/Mk/Partner/Controllers/PartnerDashboardController.php, index), so "
    "this account cannot show that a non-partner is refused; point [accounts.admin] at a "
    "company admin without the super admin role and without a partner record to judge it"
)


def partner_scope_not_judged_because(user: dict[str, Any], response: httpx.Response) -> str | None:
    """Why the admin account cannot judge the partner scope (None: it can): it is a super
    admin (the login answer's role, or the API's is_super_admin answer), or a partner."""
    role = user.get("role")
    if role == "super admin":
        return f"the [accounts.admin] account's role is 'super admin': {SUPER_ADMIN_PASSES}"
    if response.status_code == 200:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("is_super_admin") is True:
            return f"the partner API answered the admin as a super admin: {SUPER_ADMIN_PASSES}"
    if role == "partner" or user.get("is_partner") is True:
        return (
            "the [accounts.admin] account has a partner record (login answer: role "
            f"{role!r}, is_partner {user.get('is_partner')!r}), so it is not a non-partner; "
            "point [accounts.admin] at a company admin without one to judge the partner scope"
        )
    return None


def expect_not_a_partner(response: httpx.Response) -> None:
    __tracebackhide__ = True
    claim = "a user without a partner record gets 403 from the partner API"
    expect_status(response, 403, claim, remedies.PARTNER)
    body = json_body(response, claim, remedies.PARTNER)
    if body != NOT_A_PARTNER:
        fail(claim, NOT_A_PARTNER, shorten(str(body)), remedies.PARTNER)
