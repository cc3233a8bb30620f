"""Checks of the login, invoice, banking, payment and partner flows on hand-made answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from facturino_verify.checks import CheckFailed, banking, invoice, login, partner, payment
from facturino_verify.checks.base import answered
from facturino_verify.clients import featuredb
from facturino_verify.clients.errors import ConnectionRefused, NotJudged
from facturino_verify.clients.featuredb import PartnerLedger
from facturino_verify.clients.ledger import AuthThrottled
from facturino_verify.config import APP_KEY_EXAMPLE
from facturino_verify.config.features import INVOICE_HASHIDS_ALPHABET

from .conftest import Respond

BASE = "https://facturino.example"
# --- login ---------------------------------------------------------------------------------------


def test_csrf_cookie_needs_204_and_the_cookie(respond: Respond) -> None:
    login.expect_csrf_cookie(respond(204, headers={"Set-Cookie": "XSRF-TOKEN=abc%3D; Path=/"}))
    with pytest.raises(CheckFailed, match="sets XSRF-TOKEN"):
        login.expect_csrf_cookie(respond(204))
    with pytest.raises(CheckFailed, match="answers 204"):
        login.expect_csrf_cookie(respond(500, text="Server Error"))


def test_login_headers_mirror_the_cookie_and_name_a_stateful_referer() -> None:
    login.expect_login_headers("abc=", "abc%3D", f"{BASE}/login", BASE)
    with pytest.raises(CheckFailed, match="X-XSRF-TOKEN"):
        login.expect_login_headers(None, "abc%3D", f"{BASE}/", BASE)
    with pytest.raises(CheckFailed, match="stateful origin"):
        login.expect_login_headers("abc=", "abc%3D", "https://evil.example/", BASE)
    with pytest.raises(CheckFailed, match="stateful origin"):
        login.expect_login_headers("abc=", "abc%3D", None, BASE)


def test_each_login_is_judged_on_the_xsrf_cookie_held_when_it_was_sent(respond: Respond) -> None:
    """A 429 re-sets XSRF-TOKEN: the retry must carry the new value; the stale one (or none)
    still fails."""
    csrf = respond(204, headers={"Set-Cookie": "XSRF-TOKEN=one%3D; Path=/"})
    throttled = respond(429, headers={"Set-Cookie": "XSRF-TOKEN=two%3D; Path=/"}, method="POST")
    retried = respond(200, method="POST")
    held = login.cookies_held_at_each_login([csrf, throttled, retried])
    assert [(answer.status_code, cookie) for answer, cookie in held] == [
        (429, "one%3D"),
        (200, "two%3D"),
    ]
    assert login.cookies_held_at_each_login([]) == []
    (_, cookie) = held[1]
    login.expect_login_headers("two=", cookie, f"{BASE}/", BASE)
    with pytest.raises(CheckFailed, match="a different value"):
        login.expect_login_headers("one=", cookie, f"{BASE}/", BASE)
    with pytest.raises(CheckFailed, match="absent"):
        login.expect_login_headers(None, cookie, f"{BASE}/", BASE)


def test_a_check_the_suite_could_not_ask_is_not_judged_not_failed() -> None:
    """``answered`` fails the claim when the target cannot be asked, but a throttled sign-in
    (``NotJudged``) is the suite's own problem: it passes through, the check is not judged."""

    def throttled() -> None:
        raise AuthThrottled("login as a@x", "429", "run again in a minute")

    def refused() -> None:
        raise ConnectionRefused("GET /up", "Errno 111")

    with pytest.raises(AuthThrottled):
        answered(throttled, "the admin can log in", "check [accounts.admin]")
    with pytest.raises(CheckFailed, match="Errno 111"):
        answered(refused, "the app answers", "redeploy")


@pytest.mark.parametrize(
    ("status", "body", "remedy"),
    [
        (422, {"errors": {"email": [login.WRONG_CREDENTIALS]}}, "valid credentials are rejected"),
        (419, {"message": "CSRF token mismatch."}, "SANCTUM_STATEFUL_DOMAINS"),
        (200, {"success": False}, "valid credentials are rejected"),
    ],
)
def test_login_answer_other_than_success_fails(status: int, body: Any, remedy: str) -> None:
    with pytest.raises(CheckFailed, match=remedy):
        login.expect_login_answer(status, body)


def test_login_success_returns_the_user() -> None:
    user = login.expect_login_answer(200, {"success": True, "user": {"role": "admin"}})
    assert user["role"] == "admin"


def test_bootstrap_needs_company_and_feature_flags(respond: Respond) -> None:
    good = {"current_company": {"id": 1}, "feature_flags": {"stock": True}}
    assert login.expect_bootstrap(respond(json=good))["current_company"]["id"] == 1
    with pytest.raises(CheckFailed, match=r"current_company\.id"):
        login.expect_bootstrap(respond(json={"feature_flags": {}}))
    with pytest.raises(CheckFailed, match="answers for the logged-in user"):
        login.expect_bootstrap(respond(401, json={"message": "Unauthenticated."}))


def test_logout_and_the_401_after_it() -> None:
    login.expect_logged_out(200, {"success": True})
    login.expect_unauthenticated(401, '{"message":"Unauthenticated."}')
    with pytest.raises(CheckFailed, match="logout answers 200"):
        login.expect_logged_out(419, {"message": "CSRF token mismatch."})
    with pytest.raises(CheckFailed, match="answers 401"):
        login.expect_unauthenticated(200, "{}")


def test_wrong_password_must_show_the_message_and_stay_on_login() -> None:
    login.expect_wrong_password_rejected(f"{BASE}/login", f"x {login.WRONG_CREDENTIALS} y")
    with pytest.raises(CheckFailed, match="credentials error"):
        login.expect_wrong_password_rejected(f"{BASE}/login", "Login")
    with pytest.raises(CheckFailed, match="keeps the SPA on /login"):
        login.expect_wrong_password_rejected(f"{BASE}/admin/dashboard", login.WRONG_CREDENTIALS)


# --- invoice -------------------------------------------------------------------------------------


def test_created_needs_an_id_and_refuses_duplicate_warnings(respond: Respond) -> None:
    assert invoice.created(respond(json={"data": {"id": 7}}), "item")["id"] == 7
    warning = {"is_duplicate_warning": True, "message": "dup", "duplicates": []}
    with pytest.raises(CheckFailed, match="duplicate warning"):
        invoice.created(respond(json=warning), "item")
    with pytest.raises(CheckFailed, match="creates the item"):
        invoice.created(respond(402, json={"error": "invoice_limit_reached"}), "item")


def test_draft_invoice_needs_number_status_and_hash() -> None:
    good = {"invoice_number": "N-1", "status": "DRAFT", "unique_hash": "A" * 20}
    invoice.expect_draft_invoice(good, "N-1")
    with pytest.raises(CheckFailed, match="status 'DRAFT'"):
        invoice.expect_draft_invoice({**good, "status": "SENT"}, "N-1")
    with pytest.raises(CheckFailed, match="unique_hash of 20"):
        invoice.expect_draft_invoice({**good, "unique_hash": "short"}, "N-1")


LONG_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890"


def test_hash_from_the_public_key_fails_where_the_key_reaches_the_hash() -> None:
    # With a long alphabet Hashids reads past the class name into the key.
    leaked = invoice.public_key_hash(42, APP_KEY_EXAMPLE, 20, LONG_ALPHABET)
    assert invoice.hash_depends_on_key(42, APP_KEY_EXAMPLE, 20, LONG_ALPHABET)
    with pytest.raises(CheckFailed, match="not derivable from the public example APP_KEY"):
        invoice.expect_hash_not_from_public_key(leaked, 42, APP_KEY_EXAMPLE, 20, LONG_ALPHABET)
    other = invoice.public_key_hash(42, invoice.OTHER_KEY, 20, LONG_ALPHABET)
    assert (
        invoice.expect_hash_not_from_public_key(other, 42, APP_KEY_EXAMPLE, 20, LONG_ALPHABET)
        is None
    )


def test_facturino_alphabet_makes_the_hash_key_independent_which_is_noted() -> None:
    alphabet = INVOICE_HASHIDS_ALPHABET
    assert not invoice.hash_depends_on_key(42, APP_KEY_EXAMPLE, 20, alphabet)
    derived = invoice.public_key_hash(42, "base64:" + "A" * 44, 20, alphabet)
    note = invoice.expect_hash_not_from_public_key(derived, 42, APP_KEY_EXAMPLE, 20, alphabet)
    assert note is not None and "never reaches the hash" in note
    with pytest.raises(CheckFailed, match="depends on the deployment's APP_KEY"):
        invoice.expect_hash_depends_on_key(note)
    assert (
        invoice.expect_hash_not_from_public_key("Z" * 20, 42, APP_KEY_EXAMPLE, 20, alphabet) is None
    )


def test_hash_with_the_key_first_in_the_salt_depends_on_the_key_unless_it_is_the_example() -> None:
    """The remedy's salt (APP_KEY . Invoice::class): any real key gives its own hash; the public
    example key gives a hash anyone can compute, which fails as the example key."""
    alphabet = INVOICE_HASHIDS_ALPHABET
    mine = invoice.public_key_hash(42, invoice.OTHER_KEY, 20, alphabet, key_first=True)
    assert mine != invoice.public_key_hash(42, APP_KEY_EXAMPLE, 20, alphabet, key_first=True)
    assert invoice.expect_hash_not_from_public_key(mine, 42, APP_KEY_EXAMPLE, 20, alphabet) is None
    public = invoice.public_key_hash(42, APP_KEY_EXAMPLE, 20, alphabet, key_first=True)
    with pytest.raises(CheckFailed, match="not derivable from the public example APP_KEY"):
        invoice.expect_hash_not_from_public_key(public, 42, APP_KEY_EXAMPLE, 20, alphabet)


def test_key_independent_hash_fails_naming_the_app_config_and_the_remedy() -> None:
    note = invoice.key_independence_note("3OLA17GzR3WRqj489P5W", 5)
    with pytest.raises(CheckFailed) as failed:
        invoice.expect_hash_depends_on_key(note)
    assert "whatever the key is" in str(failed.value)
    assert "config/hashids.php at d5d901d7" in failed.value.remedy
    assert "config('app.key') . Invoice::class" in failed.value.remedy


def test_money_renderings_cover_the_usual_formats() -> None:
    forms = invoice.money_renderings(1_852_050)
    assert {"18,520.50", "18.520,50", "18520.50", "18 520,50", "18,521", "18521"} <= set(forms)
    assert "18520" not in forms and "246" in invoice.money_renderings(24_600)


def _pdf(*lines: str) -> bytes:
    """A one-page PDF with Helvetica text lines (hand-built: offsets computed)."""
    text = " ".join(
        f"BT /F1 10 Tf 50 {700 - 14 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_response(body: bytes, content_type: str = "application/pdf") -> httpx.Response:
    return httpx.Response(
        200,
        content=body,
        headers={"Content-Type": content_type},
        request=httpx.Request("GET", f"{BASE}/invoices/pdf/HASH"),
    )


def test_invoice_pdf_must_show_number_customer_and_total() -> None:
    good = _pdf("Invoice VERIFY-1", "Customer verify-1", "Total 18,520.50 MKD")
    invoice.expect_invoice_pdf(_pdf_response(good), "VERIFY-1", "Customer verify-1", 1_852_050)
    rounded = _pdf("Invoice VERIFY-1", "Customer verify-1", "Total 18.521 MKD")
    invoice.expect_invoice_pdf(_pdf_response(rounded), "VERIFY-1", "Customer verify-1", 1_852_050)
    with pytest.raises(CheckFailed, match="invoice number"):
        invoice.expect_invoice_pdf(_pdf_response(good), "VERIFY-2", "Customer verify-1", 1_852_050)
    with pytest.raises(CheckFailed, match="invoice total"):
        invoice.expect_invoice_pdf(_pdf_response(good), "VERIFY-1", "Customer verify-1", 99_900)


@pytest.mark.parametrize(
    ("body", "content_type", "claim"),
    [
        (b"<html>PDF</html>", "text/html", "application/pdf"),
        (b"", "application/pdf", "starting with %PDF-"),
        (b"%PDF-1.4 garbage", "application/pdf", "parses"),
    ],
)
def test_broken_pdf_fails(body: bytes, content_type: str, claim: str) -> None:
    with pytest.raises(CheckFailed, match=claim):
        invoice.expect_invoice_pdf(_pdf_response(body, content_type), "N", "C", 100)


def test_cleanup_checks(respond: Respond) -> None:
    invoice.expect_deleted(respond(json={"success": True}), "invoices")
    invoice.expect_gone(respond(404, json={"message": "Not found"}), "the invoice")
    with pytest.raises(CheckFailed, match="delete succeeds"):
        invoice.expect_deleted(respond(422, json={"message": "has payments"}), "invoices")
    with pytest.raises(CheckFailed, match="gone after the cleanup"):
        invoice.expect_gone(respond(200, json={"data": {}}), "the invoice")
    invoice.expect_listed(f"{BASE}/admin/invoices", "VERIFY-1 DRAFT", "VERIFY-1")
    with pytest.raises(CheckFailed, match="listed in the admin UI"):
        invoice.expect_listed(f"{BASE}/admin/invoices", "No invoices yet.", "VERIFY-1")


# --- banking -------------------------------------------------------------------------------------

ACCOUNT = {key: None for key in banking.ACCOUNT_KEYS} | {"id": 1, "last_sync_at": None}
BANK = {key: None for key in banking.BANK_KEYS} | {"code": "nlb"}


def test_banking_shapes(respond: Respond) -> None:
    assert banking.expect_accounts_shape(respond(json={"data": [ACCOUNT]}))[0]["id"] == 1
    assert banking.expect_status_shape(respond(json={"data": {"banks": [BANK], "stats": {}}}))
    with pytest.raises(CheckFailed, match="without 'error'"):
        banking.expect_accounts_shape(respond(json={"error": "x", "message": "y"}))
    with pytest.raises(CheckFailed, match="keys id"):
        banking.expect_accounts_shape(respond(json={"data": [{"id": 1}]}))
    with pytest.raises(CheckFailed, match="per-bank entries"):
        banking.expect_status_shape(respond(json={"data": {"banks": []}}))


def _imports(age: float | None, token: bool = True) -> featuredb.Psd2Imports:
    stamp = None if age is None else "2026-11-28 10:00:00"
    return featuredb.Psd2Imports(1, "nlb", stamp, age, token)


def test_last_sync_is_judged_on_the_newest_psd2_import_not_on_the_api_field() -> None:
    """A fresh last_sync_at (updated_at, touched by the accounts endpoint itself) proves
    nothing; only a psd2 row the sync imported does."""
    fresh_api = banking.newest_api_last_sync([{"last_sync_at": "2026-11-28T11:59:00Z"}])
    banking.expect_recent_psd2_import([_imports(2.0), _imports(None)], 6, fresh_api)
    with pytest.raises(CheckFailed) as failed:
        banking.expect_recent_psd2_import([_imports(30.0, token=False)], 26, fresh_api)
    seen = str(failed.value.seen)
    assert "newest psd2 import 2026-11-28 10:00:00 (30.0 h ago)" in seen
    assert "bank token missing or expiring within 5 min" in seen
    assert "last_sync_at (2026-11-28T11:59:00+00:00) is bank_accounts.updated_at" in seen
    assert "BankingController.php:119" in seen
    assert "schedule:list" in failed.value.remedy and "quiet account" in failed.value.remedy
    with pytest.raises(CheckFailed, match="newest psd2 import none"):
        banking.expect_recent_psd2_import([_imports(None, token=True)], 26, fresh_api)
    with pytest.raises(CheckFailed, match="not the app's database"):
        banking.expect_recent_psd2_import([], 26, fresh_api)


def test_last_sync_is_not_judged_without_any_psd2_connection() -> None:
    reason = banking.last_sync_not_judged_because([_imports(None, token=False)])
    assert reason is not None and "connected over PSD2" in reason
    assert banking.last_sync_not_judged_because([_imports(None, token=True)]) is None
    assert banking.last_sync_not_judged_because([_imports(50.0, token=False)]) is None


def test_sync_observation_checks(respond: Respond) -> None:
    banking.expect_sync_started(respond(json={"message": banking.SYNC_STARTED, "account_id": 1}), 1)
    with pytest.raises(CheckFailed, match="starts a sync"):
        banking.expect_sync_started(respond(500, json={"error": "Failed to start sync"}), 1)
    seen = [("banking", "App\\Jobs\\SyncBankTransactions")]
    banking.expect_job_queued(seen, "banking", "SyncBankTransactions")
    with pytest.raises(CheckFailed, match="on queue 'banking'"):
        banking.expect_job_queued([("default", seen[0][1])], "banking", "SyncBankTransactions")
    # A job taken and finished between two looks may have been the sync's: not judged.
    with pytest.raises(NotJudged, match="between two looks"):
        banking.expect_job_queued([], "banking", "SyncBankTransactions", processed_unseen=True)
    with pytest.raises(NotJudged, match="GeneratePdf on default; and a job was inserted"):
        banking.expect_job_queued(
            [("default", "App\\Jobs\\GeneratePdf")], "banking", "SyncBankTransactions", True
        )
    wrong_queue = [("default", seen[0][1])]
    with pytest.raises(CheckFailed, match=r"seen: +App.*SyncBankTransactions on default\n"):
        banking.expect_job_queued(wrong_queue, "banking", "SyncBankTransactions", True)
    banking.expect_job_processed(False, 0.4, "SyncBankTransactions")
    with pytest.raises(CheckFailed, match="no worker"):
        banking.expect_job_processed(True, 20.0, "SyncBankTransactions")
    with pytest.raises(CheckFailed, match="no job was dispatched"):
        banking.expect_job_processed(False, 0.0, "SyncBankTransactions", observed=False)
    banking.expect_no_new_failed_jobs([])
    with pytest.raises(CheckFailed, match="no failed_jobs row"):
        banking.expect_no_new_failed_jobs([(9, "banking", "RuntimeException: bank said 503")])
    banking.expect_new_psd2_transactions(2, 5, 0.5)
    with pytest.raises(CheckFailed, match="source='psd2'"):
        banking.expect_new_psd2_transactions(2, 2, 0.5)


@pytest.mark.parametrize(
    ("mode", "token", "judged"),
    [
        ("required", False, True),
        ("required", True, True),
        ("if_token", True, True),
        ("if_token", False, False),
        ("not_judged", True, False),
    ],
)
def test_the_import_is_judged_as_the_environment_says(mode: str, token: bool, judged: bool) -> None:
    reason = banking.import_not_judged_because(mode, token)
    assert (reason is None) is judged
    if not judged:
        assert reason and ("bank_tokens" in reason or "not_judged" in reason)


# --- payment -------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", sorted(payment.WEBHOOK_REFUSALS))
def test_webhook_refusal_must_be_exact(respond: Respond, provider: str) -> None:
    status, body = payment.WEBHOOK_REFUSALS[provider]
    payment.expect_webhook_refused(respond(status, json=body, method="POST"), provider)
    with pytest.raises(CheckFailed, match="refuses an unsigned delivery"):
        payment.expect_webhook_refused(respond(404, text="Not Found", method="POST"), provider)
    with pytest.raises(CheckFailed, match="refuses an unsigned delivery"):
        payment.expect_webhook_refused(respond(200, json={"status": "received"}), provider)


def test_paddle_401_points_at_the_other_handler(respond: Respond) -> None:
    with pytest.raises(CheckFailed, match="Modules Paddle handler"):
        payment.expect_webhook_refused(respond(401, json={"error": "Unauthorized"}), "paddle")


def test_subscription_checkout_and_side_effects(respond: Respond) -> None:
    plan = {"tiers": [{"key": "business"}], "current_plan": {"tier": "business"}}
    payment.expect_subscription(respond(json=plan))
    with pytest.raises(CheckFailed, match="tiers and the current plan"):
        payment.expect_subscription(respond(json={"tiers": []}))
    with pytest.raises(CheckFailed, match="at least one plan"):
        payment.expect_subscription(respond(json={**plan, "tiers": []}))
    url = payment.expect_checkout_session(
        respond(json={"checkout_url": "https://checkout.example/c/1", "session_id": "cs_1"})
    )
    assert url.startswith("https://")
    with pytest.raises(CheckFailed, match="creates a checkout session"):
        payment.expect_checkout_session(respond(400, json={"error": "Invalid tier"}))
    payment.expect_no_webhook_stored(3, 3, "cpay")
    with pytest.raises(CheckFailed, match="stores no gateway_webhook_events"):
        payment.expect_no_webhook_stored(3, 4, "cpay")
    payment.expect_checkout_page(url, 200, "Checkout")
    with pytest.raises(CheckFailed, match="loads in the browser"):
        payment.expect_checkout_page(url, 404, "")


# --- partner -------------------------------------------------------------------------------------

THIS_MONTH = "2026-11"
EVENTS = [
    {"id": 5, "amount": 1500.0, "paid_at": None, "month_ref": THIS_MONTH, "is_clawed_back": False},
    {"id": 4, "amount": 700.0, "paid_at": None, "month_ref": "2026-10", "is_clawed_back": True},
    {"id": 3, "amount": 3000.0, "paid_at": "x", "month_ref": "2026-09", "is_clawed_back": False},
]
LEDGER = PartnerLedger(1, EVENTS, [{"amount": 2400.0, "date": "2026-12-14"}], 2, THIS_MONTH)


def _row(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event.get(k) for k in partner.COMMISSION_KEYS} | {"amount": event["amount"]}


def _dashboard(**data: Any) -> dict[str, Any]:
    figures = {
        "active_clients": 2,
        "monthly_commissions": 1500.0,
        "processed_invoices": 0,
        "total_earnings": 4500.0,
        "pending_payout": 1500.0,
    }
    return {
        "data": figures | data,
        "earningsHistory": [{"month": "m", "amount": "0.00"}] * 12,
        "recentCommissions": [_row(e) for e in EVENTS],
        "nextPayout": {"amount": 2400.0, "date": "2026-12-14"},
    }


def test_dashboard_that_agrees_with_the_ledger_passes(respond: Respond) -> None:
    body = partner.expect_dashboard_keys(respond(json=_dashboard()))
    partner.expect_dashboard_matches_ledger(body, LEDGER)


@pytest.mark.parametrize(
    ("changes", "figure"),
    [
        ({"total_earnings": 5200.0}, "total_earnings"),  # counts the clawed-back event
        ({"pending_payout": 0}, "pending_payout"),
        ({"monthly_commissions": 0}, "monthly_commissions"),
        ({"active_clients": 12}, "active_clients"),
    ],
)
def test_dashboard_figure_that_disagrees_fails(changes: dict[str, Any], figure: str) -> None:
    with pytest.raises(CheckFailed, match=figure):
        partner.expect_dashboard_matches_ledger(_dashboard(**changes), LEDGER)


def test_commissions_must_be_the_partners_newest_events() -> None:
    rows = [_row(e) for e in EVENTS]
    partner.expect_commissions_match_ledger(rows, LEDGER, "commissions")
    wrong_amount = [{**rows[0], "amount": 9999.0}, *rows[1:]]
    with pytest.raises(CheckFailed, match="one of the partner's affiliate_events"):
        partner.expect_commissions_match_ledger(wrong_amount, LEDGER, "commissions")
    with pytest.raises(CheckFailed, match="newest events"):
        partner.expect_commissions_match_ledger(list(reversed(rows)), LEDGER, "commissions")


def test_dashboard_keys_and_403(respond: Respond) -> None:
    with pytest.raises(CheckFailed, match="contract's keys"):
        partner.expect_dashboard_keys(respond(json={"data": {}}))
    with pytest.raises(CheckFailed, match="12 months"):
        partner.expect_dashboard_keys(respond(json={**_dashboard(), "earningsHistory": []}))
    partner.expect_not_a_partner(respond(403, json=partner.NOT_A_PARTNER))
    with pytest.raises(CheckFailed, match="gets 403"):
        partner.expect_not_a_partner(respond(200, json=_dashboard()))


def test_partner_scope_is_judged_only_with_an_account_that_can_show_it(respond: Respond) -> None:
    """PartnerScopeMiddleware.php:28 lets super admins through (200 with is_super_admin): with
    such an account (or a partner) the 403 claim is skipped with the reason, never failed."""
    aggregate = respond(200, json={**_dashboard(), "is_super_admin": True})
    refused = respond(403, json=partner.NOT_A_PARTNER)
    admin = {"role": "admin", "is_partner": False}
    assert partner.partner_scope_not_judged_because(admin, refused) is None
    reason = partner.partner_scope_not_judged_because({"role": "super admin"}, aggregate)
    assert reason is not None and "PartnerScopeMiddleware.php:28" in reason
    assert "[accounts.admin]" in reason
    no_role = partner.partner_scope_not_judged_because({}, aggregate)
    assert no_role is not None and "answered the admin as a super admin" in no_role
    as_partner = partner.partner_scope_not_judged_because({"role": "partner"}, refused)
    assert as_partner is not None and "partner record" in as_partner
    # A plain admin answered 200 (the scope is open) is judged, and fails.
    assert partner.partner_scope_not_judged_because(admin, respond(200, json=_dashboard())) is None
