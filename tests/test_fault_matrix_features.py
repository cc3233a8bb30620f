"""The features fault matrix: every feature check is proven able to fail, faults do not
cross-talk, and no run (passing or failing) leaves a row behind or changes one it did not create.

The features suite runs as a whole process against a private reference deployment, healthy and
once per fault. For each fault the failing set must be exactly the expected one. Around every run
the database is snapshotted (tests/db_snapshot.py): afterwards it may differ only by the
documented exceptions below.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from facturino_reference import DeploymentError, free_port_base

from . import db_snapshot
from .efaktura_samples import make_pki
from .reference_runs import SuiteRun, reference, run_suite

pytestmark = pytest.mark.fault_matrix

# --- the suite's checks, by flow ------------------------------------------------------------------
LOGIN_API = {
    "test_csrf_cookie_answers_204_with_xsrf_token",
    "test_api_login_sends_xsrf_header_and_stateful_referer",
    "test_api_login_accepts_the_admin_account",
    "test_bootstrap_answers_with_current_company_and_feature_flags",
}
LOGIN_FORM = "test_login_path_shows_the_login_form[chromium]"
SIGN_IN = "test_admin_signs_in_reaches_dashboard_and_signs_out[chromium]"
WRONG_PASSWORD = "test_wrong_password_shows_error_and_stays_on_login[chromium]"
LOGIN_BROWSER = {LOGIN_FORM, SIGN_IN, WRONG_PASSWORD}
INVOICE_DRAFT = "test_invoice_is_saved_as_draft_with_a_unique_hash"
INVOICE_HASH = "test_invoice_hash_is_not_derivable_from_the_public_app_key"
INVOICE_PDF = "test_invoice_pdf_shows_number_customer_and_total"
INVOICE_LISTED = "test_created_invoice_appears_in_the_invoices_list[chromium]"
INVOICE = {INVOICE_DRAFT, INVOICE_HASH, INVOICE_PDF, INVOICE_LISTED}
UBL_SCHEMA = "test_ubl_export_validates_against_the_oasis_ubl_21_schema"
UBL_CONTENT = "test_ubl_export_repeats_number_type_currency_and_totals"
SIGNED_NAME = "test_signed_export_is_named_as_signed"
SIGNED_CONTENT = "test_signed_export_is_the_same_valid_invoice_without_its_signature"
ALGORITHMS = "test_signature_uses_exc_c14n_rsa_sha256_sha256_enveloped"
SIGNXML = "test_signature_verifies_over_the_exact_bytes_with_signxml"
XMLSEC1 = "test_signature_verifies_with_xmlsec1_against_the_trust_anchor"
CHAIN = "test_signer_certificate_chains_to_the_trust_anchor"
LIFETIME = "test_signer_certificate_does_not_expire_soon"
PLACEMENT = "test_signature_placement_follows_ubl_extensions"
# Everything judging the ds:Signature (absent: all of them fail).
SIGNATURE = {ALGORITHMS, SIGNXML, XMLSEC1, CHAIN, LIFETIME, PLACEMENT}
EFAKTURA = {UBL_SCHEMA, UBL_CONTENT, SIGNED_NAME, SIGNED_CONTENT, *SIGNATURE}
BANK_STATUS = "test_banking_status_lists_banks_with_contract_keys"
BANK_ACCOUNTS = "test_banking_accounts_have_contract_keys"
BANK_RECENT = "test_last_bank_sync_is_recent"
SYNC_ACCEPTED = "test_sync_request_is_accepted"
SYNC_QUEUED = "test_sync_job_is_queued_on_banking"
SYNC_PROCESSED = "test_worker_processes_the_sync_job"
SYNC_NO_FAILED = "test_sync_adds_no_failed_job"
SYNC_IMPORTED = "test_sync_imports_psd2_transactions"
BANKING = {
    BANK_STATUS,
    BANK_ACCOUNTS,
    BANK_RECENT,
    SYNC_ACCEPTED,
    SYNC_QUEUED,
    SYNC_PROCESSED,
    SYNC_NO_FAILED,
    SYNC_IMPORTED,
}
PROVIDERS = ("paddle", "cpay", "stripe")
WEBHOOK_REFUSED = {f"test_webhook_refuses_an_unsigned_delivery[{p}]" for p in PROVIDERS}
WEBHOOK_STORED = {f"test_refused_webhook_stores_no_event[{p}]" for p in PROVIDERS}
SUBSCRIPTION = "test_subscription_endpoint_answers_with_tiers_and_current_plan"
CHECKOUT = {"test_checkout_session_is_created", "test_checkout_url_loads_in_the_browser[chromium]"}
PAYMENT = {SUBSCRIPTION, *CHECKOUT, *WEBHOOK_REFUSED, *WEBHOOK_STORED}
PARTNER_AGREES = "test_partner_dashboard_agrees_with_affiliate_events_and_payouts"
NOT_A_PARTNER = "test_non_partner_gets_403_from_the_partner_api"
PARTNER_WIDGETS = "test_partner_dashboard_renders_commission_widgets_with_api_figures[chromium]"
# Judges only what the page shows: the empty state of a refused or mocked partner API has no raw
# key, so it is not in PARTNER_SESSION.
RAW_KEYS = "test_partner_dashboard_shows_no_raw_translation_keys[chromium]"
# Everything read as the partner (the admin's 403 is not).
PARTNER_SESSION = {
    "test_partner_dashboard_has_the_contract_keys",
    "test_partner_commissions_have_the_contract_keys",
    "test_partner_api_is_not_mocked[dashboard]",
    "test_partner_api_is_not_mocked[commissions]",
    PARTNER_AGREES,
    "test_partner_commissions_agree_with_affiliate_events",
    PARTNER_WIDGETS,
}
PARTNER = {*PARTNER_SESSION, RAW_KEYS, NOT_A_PARTNER}
ALL = LOGIN_API | LOGIN_BROWSER | INVOICE | EFAKTURA | BANKING | PAYMENT | PARTNER
# What needs the shared admin session (a refused admin login fails all of it).
ADMIN_SESSION = (
    {"test_bootstrap_answers_with_current_company_and_feature_flags"}
    | INVOICE
    | EFAKTURA
    | BANKING
    | {SUBSCRIPTION, *CHECKOUT, NOT_A_PARTNER}
)

# Faults that take a whole session away run alone; the others are grouped one per flow (their
# failing sets are disjoint and their mechanisms independent), so a group's failing set must be
# exactly the union: every fault fails its own checks and nothing of the other flows.
FAULT_CHECKS: dict[str, set[str]] = {
    # Valid credentials get 422: the admin's API login and browser sign-in, and everything that
    # needs the admin session. The csrf-cookie, the request headers, the wrong password and the
    # partner (another account) still pass.
    "login_broken": ADMIN_SESSION | {"test_api_login_accepts_the_admin_account", SIGN_IN},
    # Cookies for another domain: no client keeps XSRF-TOKEN, every login gets 419.
    "csrf_misconfigured": ADMIN_SESSION
    | LOGIN_API
    | PARTNER_SESSION
    | {RAW_KEYS, SIGN_IN, WRONG_PASSWORD},
    "pdf_broken": {INVOICE_PDF},
    "pdf_wrong_invoice": {INVOICE_PDF},
    # A "-ubl-signed.xml" without a signature: the name passes, nothing about a signature does.
    "xml_unsigned": SIGNATURE,
    # The contract's own signature of a missing key: unsigned, and named so.
    "xml_signer_key_missing": SIGNATURE | {SIGNED_NAME},
    # The signed export's PayableAmount rewritten in whole denars after signing: its bytes (and
    # its total) differ; the plain UBL export is untouched.
    "xml_tampered": {SIGNXML, XMLSEC1, SIGNED_CONTENT},
    # A valid RSA-SHA1/SHA-1 signature: xmlsec1 accepts it, the algorithm check and the
    # restricted signxml verification do not.
    "xml_weak_algorithm": {ALGORITHMS, SIGNXML},
    "xml_schema_invalid": {UBL_SCHEMA, SIGNED_CONTENT},
    "signer_cert_expiring": {LIFETIME},
    "bank_worker_dead": {SYNC_PROCESSED, SYNC_IMPORTED},
    "bank_sync_fails": {SYNC_NO_FAILED, SYNC_IMPORTED},
    # The job runs and succeeds, importing nothing: only the import claim can see it.
    "bank_token_expired": {SYNC_IMPORTED},
    # No sync for 3 days: the newest psd2 import is 4 days old (the API's last_sync_at, the
    # account's updated_at, says nothing either way). A sync triggered now still imports.
    "bank_sync_stale": {BANK_RECENT},
    "webhook_unrouted": WEBHOOK_REFUSED,
    # Stripe and CPAY accept unsigned payloads (200) and store them; Paddle never verified.
    "webhook_accepts_unsigned": {
        f"test_{kind}[{p}]"
        for kind in ("webhook_refuses_an_unsigned_delivery", "refused_webhook_stores_no_event")
        for p in ("cpay", "stripe")
    },
    "partner_commissions_wrong": {PARTNER_AGREES},
    # Saved as SENT: only the status claim fails (the hash, PDF and list do not depend on it).
    "invoice_saved_as_sent": {INVOICE_DRAFT},
    # The public example APP_KEY: with the key first in the Hashids salt (the fixed app) every
    # unique_hash is computable from the invoice id by anyone (a smoke fault aimed here too).
    "default_app_key": {INVOICE_HASH},
    # 402 upgrade_required on every banking route. The account to sync is configured in the
    # matrix run (BANKING_ACCOUNT), so the sync checks judge the 402 themselves; the refused
    # sync adds no failed job, which stays true.
    "banking_tier_downgraded": BANKING - {SYNC_NO_FAILED},
    # No plan on sale: the subscription lists none and checkout answers 400.
    "stripe_prices_missing": {SUBSCRIPTION, *CHECKOUT},
    # The admin (no partner record) reads the partner API: 200 instead of 403.
    "partner_scope_open": {NOT_A_PARTNER},
    "partner_forbidden": PARTNER_SESSION,
    # The upstream commissions mapping: no type/status, a raw partner_dashboard.status_undefined.
    "partner_commission_fields_missing": {RAW_KEYS},
    # Smoke faults that hit a feature flow specifically.
    "partner_mocked_data": PARTNER_SESSION,
    # /login and /admin/* redirect to /installation: the SPA draws the installer there.
    "installer_open": {
        LOGIN_FORM,
        SIGN_IN,
        WRONG_PASSWORD,
        INVOICE_LISTED,
        PARTNER_WIDGETS,
        RAW_KEYS,
    },
}
GROUPS: dict[str, tuple[str, ...]] = {
    "csrf_misconfigured": ("csrf_misconfigured",),
    "group-a": (
        "pdf_broken",
        "xml_schema_invalid",
        "bank_worker_dead",
        "webhook_unrouted",
        "partner_commissions_wrong",
    ),
    "group-b": (
        "pdf_wrong_invoice",
        "xml_weak_algorithm",
        "bank_sync_fails",
        "webhook_accepts_unsigned",
        "partner_forbidden",
    ),
    "group-c": (
        "xml_tampered",
        "signer_cert_expiring",
        "bank_token_expired",
        "partner_mocked_data",
    ),
    "group-g": ("bank_sync_stale", "default_app_key"),
    "group-d": ("xml_unsigned", "installer_open"),
    "group-e": ("xml_signer_key_missing", "partner_commission_fields_missing"),
    "group-f": (
        "invoice_saved_as_sent",
        "banking_tier_downgraded",
        "stripe_prices_missing",
        "partner_scope_open",
    ),
}
# Every matrix run names the account to sync, as an operator may: then a refused listing of
# accounts cannot hide the sync checks behind a fixture error.
BANKING_ACCOUNT = {"FACTURINO_VERIFY__FEATURES__BANKING__ACCOUNT_ID": "1"}
# login_broken runs in the artifacts test (it fails browser tests, which must keep artifacts).
# Checks that only an environment's expectation can trip on the reference deployment (it has no
# fault for them): run healthy, with the expectation changed. An anchor that did not issue the
# signer (a CA made by the test) fails the chain and both verifications.
EXPECTATIONS = {
    # The signature placement is non-standard.
    "FACTURINO_VERIFY__FEATURES__EFAKTURA__SIGNATURE_PLACEMENT": "fail",
    # The sync is SyncBankTransactions, not this job.
    "FACTURINO_VERIFY__FEATURES__BANKING__JOB_NAME": "ImportStatementsJob",
    # Judge the import only with a valid bank token: the seeded one is, so it is judged (and
    # passes): the token question runs against the real database.
    "FACTURINO_VERIFY__FEATURES__BANKING__NEW_TRANSACTIONS": "if_token",
    # e-invoices in euro: the documents say MKD.
    "FACTURINO_VERIFY__FEATURES__EFAKTURA__CURRENCY": "EUR",
    # A plan the deployment does not sell: no checkout session (422).
    "FACTURINO_VERIFY__FEATURES__PAYMENT__CHECKOUT_TIER": "platinum",
}
EXPECTATION_FAILURES = {
    UBL_CONTENT,
    SIGNED_CONTENT,
    PLACEMENT,
    SYNC_QUEUED,
    *CHECKOUT,
    CHAIN,
    SIGNXML,
    XMLSEC1,
}
PORT_LOCK = Path(tempfile.gettempdir()) / "facturino-verify-features-matrix-ports.lock"
AUTH_CALLS = 5  # admin + partner sessions, browser sign-in + sign-out, wrong password


def _free_base(wait: float = 180.0) -> int:
    """A base of 21000-21999 (tests/README.md) whose ports are free now. Bases 1 apart have
    disjoint port sets (no two offsets of a deployment differ by less than 10)."""
    deadline = time.monotonic() + wait
    while True:
        for start in (21000, 21500):
            with contextlib.suppress(DeploymentError):
                return free_port_base(start, start + 10, 1)
        if time.monotonic() > deadline:
            raise DeploymentError("no free port base in 21000-21999")
        time.sleep(0.5)


@contextmanager
def _deployment(faults: list[str], up: tuple[str, ...] = ()) -> Iterator[tuple[Path, int]]:
    """A private reference deployment; the base is chosen and bound under a lock, so parallel
    workers (and parallel runs of the matrix) never pick the same one."""
    with ExitStack() as stack:
        with PORT_LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            base = _free_base()
            home = stack.enter_context(reference(base, faults, up))
        yield home, base


def _conninfo(port_base: int) -> dict[str, object]:
    password = os.environ.get("FACTURINO_LOCAL_DB_PASSWORD", "reference-db-secret")
    return {
        "host": "127.0.0.1",
        "port": port_base + 432,
        "dbname": "facturino",
        "user": "facturino",
        "password": password,
    }


class FeatureRun:
    def __init__(self, run: SuiteRun, trace: db_snapshot.Difference, home: Path) -> None:
        self.run, self.trace, self.home = run, trace, home

    @property
    def failing(self) -> set[str]:
        return self.run.named("failed") | self.run.named("error")


def features_with(
    faults: list[str],
    overrides: dict[str, str] | None = None,
    *extra: str,
    up: tuple[str, ...] = (),
) -> FeatureRun:
    with _deployment(faults, up) as (home, base):
        env = {
            # A dead worker must not cost the default 20 s.
            "FACTURINO_VERIFY__FEATURES__BANKING__SYNC_DEADLINE_SECONDS": "5",
            # Nor a browser wait for a page a fault took away (the default leaves a loaded
            # runner room; this machine's healthy pages take well under a second).
            "FACTURINO_VERIFY__BROWSER__TIMEOUT_MS": "5000",
            **BANKING_ACCOUNT,
            **(overrides or {}),
        }
        info = _conninfo(base)
        before = db_snapshot.take(info)
        run = run_suite(
            home,
            "features",
            "tests_features",
            f"--output={home / 'artifacts'}",
            *extra,
            overrides=env,
        )
        after = db_snapshot.take(info)
        # The one documented exception: the bank sync imports the bank's own transactions
        # (not test data, no tag, no delete endpoint; the 4-hourly schedule would import them).
        imported = db_snapshot.rows_where(info, "bank_transactions", "source = 'psd2'")
        allowed = {("created", "bank_transactions", key) for key in imported}
        if "bank_sync_fails" in faults:  # the failed sync's record, the evidence of the fault
            allowed |= {("created", "failed_jobs", k) for k in after.rows["failed_jobs"]}
        if "pdf_wrong_invoice" in faults:  # the stale PDFs the app deletes with "their" invoice
            allowed |= {("deleted", "media", k) for k in before.rows["media"]}
        if "webhook_accepts_unsigned" in faults:  # what the faulty endpoints stored
            allowed |= {
                ("created", "gateway_webhook_events", k)
                for k in after.rows["gateway_webhook_events"]
            }
        trace = db_snapshot.compare(before, after).without(allowed)
        return FeatureRun(run, trace, home)


def _assert_no_trace(found: FeatureRun) -> None:
    assert found.trace.empty(), (
        f"the run left rows behind or changed rows it did not create: created "
        f"{found.trace.created}, changed {found.trace.changed}, deleted {found.trace.deleted}"
    )


def test_healthy_run_passes_every_feature_check_within_the_auth_budget_and_leaves_no_trace() -> (
    None
):
    found = features_with([])
    assert found.run.exit_code == 0, found.run.output[-3000:]
    assert found.failing == set()
    assert found.run.named("skipped") == set(), "a skipped check proves nothing"
    assert "capability not granted" not in found.run.output, "local grants every capability"
    assert set(found.run.outcomes) == ALL, (
        f"unknown to the matrix: {sorted(set(found.run.outcomes) - ALL)}; "
        f"missing from the run: {sorted(ALL - set(found.run.outcomes))}"
    )
    assert f"{AUTH_CALLS} of 5/min" in found.run.output
    _assert_no_trace(found)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_faults_fail_exactly_their_checks_and_leave_no_trace(group: str) -> None:
    faults = GROUPS[group]
    found = features_with(list(faults))
    expected = set().union(*(FAULT_CHECKS[f] for f in faults))
    assert found.run.exit_code != 0, found.run.output[-3000:]
    assert found.failing == expected, (
        f"{faults}: missed (should fail): {sorted(expected - found.failing)}; "
        f"cross-talk (should pass): {sorted(found.failing - expected)}; "
        f"exit {found.run.exit_code}, output ends: {found.run.output[-2500:]}"
    )
    assert found.run.named("skipped") == set()
    _assert_no_trace(found)


def test_expectations_the_deployment_does_not_meet_fail_exactly_their_checks(
    tmp_path: Path,
) -> None:
    anchor = make_pki(tmp_path).ca_pem
    found = features_with(
        [], {**EXPECTATIONS, "FACTURINO_VERIFY__FEATURES__EFAKTURA__TRUST_ANCHOR": str(anchor)}
    )
    assert found.failing == EXPECTATION_FAILURES, (
        f"missed: {sorted(EXPECTATION_FAILURES - found.failing)}; "
        f"cross-talk: {sorted(found.failing - EXPECTATION_FAILURES)}"
    )
    _assert_no_trace(found)


def test_an_expired_bank_token_is_not_judged_where_the_environment_says_if_token() -> None:
    """`new_transactions = "if_token"`: without a valid token the job imports nothing by design,
    so the import is skipped with that reason (and the other banking checks still judge)."""
    found = features_with(
        ["bank_token_expired"],
        {"FACTURINO_VERIFY__FEATURES__BANKING__NEW_TRANSACTIONS": "if_token"},
        "-k",
        "bank or sync",
        "-rs",
    )
    assert found.failing == set(), found.run.output[-2500:]
    assert found.run.named("skipped") == {SYNC_IMPORTED}
    assert "no valid bank_tokens row" in found.run.output
    assert set(found.run.outcomes) == BANKING
    _assert_no_trace(found)


def test_a_super_admin_verify_account_skips_the_partner_scope_check_with_the_reason() -> None:
    """Super admins pass Facturino's partner scope by design (200 with is_super_admin): with
    such an [accounts.admin] the 403 claim cannot be judged; it is skipped, saying why and how
    to configure an account that can, and nothing else of the partner flow changes."""
    found = features_with(["admin_is_super_admin"], None, "-k", "partner", "-rs")
    assert found.failing == set(), found.run.output[-2500:]
    assert found.run.named("skipped") == {NOT_A_PARTNER}
    assert "PartnerScopeMiddleware.php:28" in found.run.output
    assert "without the super admin role" in found.run.output
    assert set(found.run.outcomes) == PARTNER
    _assert_no_trace(found)


REDIS_QUEUE = ("--queue-connection", "redis")


REDIS_CASES = {
    "healthy": ([], {}, set()),
    "bank_worker_dead": (["bank_worker_dead"], {}, FAULT_CHECKS["bank_worker_dead"]),
    "bank_sync_fails": (["bank_sync_fails"], {}, FAULT_CHECKS["bank_sync_fails"]),
    # The payload's displayName is read from Redis, too.
    "other_job_name": (
        [],
        {"FACTURINO_VERIFY__FEATURES__BANKING__JOB_NAME": "ImportStatementsJob"},
        {SYNC_QUEUED},
    ),
}


@pytest.mark.parametrize("case", sorted(REDIS_CASES))
def test_the_sync_is_watched_on_redis_where_the_queue_connection_is_redis(case: str) -> None:
    """`QUEUE_CONNECTION=redis` (the runbook's): the job never touches the jobs table; the
    watch reads `queues:banking` and its reserved/delayed sets instead, with the same verdicts
    (the environment file says `[queue] connection = "redis"`)."""
    faults, overrides, expected = REDIS_CASES[case]
    found = features_with(faults, overrides, "-k", "bank or sync", up=REDIS_QUEUE)
    assert found.failing == expected, found.run.output[-2500:]
    assert found.run.named("skipped") == set()
    assert set(found.run.outcomes) == BANKING
    _assert_no_trace(found)


def test_login_broken_fails_its_checks_and_keeps_secret_free_artifacts_in_the_report(
    tmp_path: Path,
) -> None:
    report, artifacts = tmp_path / "report.html", tmp_path / "artifacts"
    found = features_with(
        ["login_broken"], None, f"--html={report}", "--self-contained-html", f"--output={artifacts}"
    )
    expected = FAULT_CHECKS["login_broken"]
    missed, extra = sorted(expected - found.failing), sorted(found.failing - expected)
    assert found.failing == expected, f"missed: {missed}; cross-talk: {extra}"
    _assert_no_trace(found)
    traces = sorted(artifacts.rglob("trace.zip"))
    shots = sorted(artifacts.rglob("*.png"))
    assert traces and shots, sorted(p.name for p in artifacts.rglob("*"))
    assert any("signs-in" in str(p) for p in traces), traces  # the failing sign-in kept its own
    html = report.read_text()
    assert "trace.zip" in html and "data:image/png;base64" in html
    password = os.environ.get("FACTURINO_LOCAL_ADMIN_PASSWORD", "reference-admin-secret")
    for trace in traces:
        with zipfile.ZipFile(trace) as archive:
            for name in archive.namelist():
                assert password.encode() not in archive.read(name), f"{trace}:{name}"


def test_every_feature_check_is_tripped_by_something_specific() -> None:
    """Each check fails under a fault (or an expectation) aimed at it; the faults that take the
    admin session away count only for the login checks themselves."""
    broad = ("login_broken", "csrf_misconfigured")
    specific = set().union(*(v for k, v in FAULT_CHECKS.items() if k not in broad))
    specific |= {"test_api_login_accepts_the_admin_account", SIGN_IN, WRONG_PASSWORD}
    specific |= LOGIN_API  # csrf_misconfigured aims at exactly these
    specific |= EXPECTATION_FAILURES
    # One parameter of a parametrized check is enough: the parameters share the check's logic.
    functions = {name.split("[")[0] for name in ALL}
    proven = {name.split("[")[0] for name in specific}
    assert sorted(functions - proven) == []
