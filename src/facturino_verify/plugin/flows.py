"""Fixtures of the feature flows: the API as each account, the tagged invoice (removed at the
end, also when a step fails), its exports, one observed bank sync, the partner's ledger.

Flows that several claims judge are run once per session and shared: each test then asserts one
claim on the same observation, so a run costs one invoice, one sync, one checkout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..checks import banking as banking_checks
from ..checks import invoice as invoice_checks
from ..checks import login as login_checks
from ..clients import DatabaseClient, featuredb
from ..clients.facturino_api import FacturinoApi, public_pdf
from ..config import Environment
from ..config.features import default_schema_dir
from ..runs.deployment import Deployment
from ..runs.features import FeatureRun, Leftover
from ..runs.flows import InvoiceUnderTest, SyncObservation, invoice_bodies
from ..runs.sync_watch import job_watch, watch_sync


def _company_id(api: FacturinoApi, configured: int | None) -> int:
    if configured is not None:
        return configured
    body = login_checks.expect_bootstrap(api.bootstrap())
    return int(body["current_company"]["id"])


@pytest.fixture(scope="session")
def admin_bootstrap(deployment: Deployment) -> dict[str, Any]:
    """``GET /api/v1/bootstrap`` of the shared admin session (checked: company, feature flags)."""
    return login_checks.expect_bootstrap(deployment.session("admin").get("/api/v1/bootstrap"))


@pytest.fixture(scope="session")
def admin_api(deployment: Deployment, environment: Environment) -> FacturinoApi:
    """The API as the admin test account, on its company (``company`` header on every call)."""
    api = FacturinoApi(deployment.session("admin"))
    api.company_id = _company_id(api, environment.accounts["admin"].company_id)
    return api


@pytest.fixture(scope="session")
def partner_api(deployment: Deployment) -> FacturinoApi:
    """The API as the partner test account (the partner routes need no company)."""
    return FacturinoApi(deployment.session("partner"))


# --- invoice + PDF -----------------------------------------------------------------------------


def _currency_id(bootstrap: dict[str, Any]) -> int | None:
    value = (bootstrap.get("current_company_settings") or {}).get("currency")
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@pytest.fixture(scope="session")
def invoice_under_test(
    admin_api: FacturinoApi,
    admin_bootstrap: dict[str, Any],
    deployment: Deployment,
    environment: Environment,
    feature_run: FeatureRun,
) -> Iterator[InvoiceUnderTest]:
    """A tagged customer, item and DRAFT invoice, created once per run (tests marked ``writes``).

    Every record is booked the moment it exists, and all of them are deleted at the end of the
    run, whatever happened in between; the deletion is verified (404 on the invoice and on its
    PDF). What cannot be removed fails the run loudly and is listed in the report."""
    flow = environment.features.invoice
    tag = feature_run.tag
    customer, item, invoice = invoice_bodies(
        tag,
        _currency_id(admin_bootstrap),
        flow.item_price,
        flow.quantity,
        flow.template_name,
        dt.date.today(),
    )
    made = InvoiceUnderTest(tag, invoice["invoice_number"], customer["name"])
    try:
        made.customer = invoice_checks.created(admin_api.create_customer(customer), "customer")
        item_data = invoice_checks.created(admin_api.create_item(item), "item")
        made.item = item_data
        line = {**invoice["items"][0], "item_id": item_data["id"]}
        body = {**invoice, "customer_id": made.customer["id"], "items": [line]}
        made.invoice = invoice_checks.created(admin_api.create_invoice(body), "invoice")
        yield made
    finally:
        _remove(admin_api, deployment, made, feature_run)


def _remove(api: FacturinoApi, d: Deployment, made: InvoiceUnderTest, run: FeatureRun) -> None:
    """Delete in dependency order (invoice, item, customer), then prove the invoice is gone."""
    left: list[Leftover] = []
    for kind, record in (
        ("invoices", made.invoice),
        ("items", made.item),
        ("customers", made.customer),
    ):
        if not record.get("id"):
            continue
        label = str(record.get("invoice_number") or record.get("name"))
        try:
            invoice_checks.expect_deleted(api.delete(kind, [int(record["id"])]), kind)
        except Exception as error:  # a failed check or an unreachable target: a leftover
            left.append(Leftover(kind, int(record["id"]), label, _first_line(error)))
    if made.invoice.get("id") and not any(x.kind == "invoices" for x in left):
        probes: list[tuple[str, Callable[[], httpx.Response]]] = [
            (f"GET /api/v1/invoices/{made.id}", lambda: api.invoice(made.id)),
            ("the public PDF URL", lambda: public_pdf(d.http, made.unique_hash)),
        ]
        for what, answer in probes:
            try:
                invoice_checks.expect_gone(answer(), what)
            except Exception as error:
                left.append(Leftover("invoices", made.id, made.number, _first_line(error)))
    if left:
        run.leftovers.extend(left)
        listed = "; ".join(f"{x.kind} #{x.id} ({x.label}): {x.reason}" for x in left)
        pytest.fail(f"cleanup failed, left behind (tag {made.tag}): {listed}", pytrace=False)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[:3]) or type(error).__name__


@pytest.fixture(scope="session")
def invoice_pdf(invoice_under_test: InvoiceUnderTest, deployment: Deployment) -> httpx.Response:
    """The invoice's PDF fetched from its public URL without cookies."""
    return public_pdf(deployment.http, invoice_under_test.unique_hash)


# --- e-Faktura ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ubl_export(admin_api: FacturinoApi, invoice_under_test: InvoiceUnderTest) -> httpx.Response:
    """``export-xml`` of the test invoice with ``format: ubl``."""
    return admin_api.export_xml(invoice_under_test.id, "ubl")


@pytest.fixture(scope="session")
def signed_export(admin_api: FacturinoApi, invoice_under_test: InvoiceUnderTest) -> httpx.Response:
    """``export-xml`` of the test invoice with ``format: ubl_signed``."""
    return admin_api.export_xml(invoice_under_test.id, "ubl_signed")


@pytest.fixture(scope="session")
def ubl_schema_dir(environment: Environment, pytestconfig: pytest.Config) -> Path:
    """Where the OASIS UBL 2.1 schemas are read from (``[features.efaktura] ubl_schema_dir``)."""
    configured = environment.features.efaktura.ubl_schema_dir
    return configured if configured is not None else default_schema_dir(pytestconfig.rootpath)


@pytest.fixture(scope="session")
def efaktura_trust_anchor(environment: Environment) -> Path:
    """The PEM the signer certificate must chain to (``[features.efaktura] trust_anchor``)."""
    anchor = environment.features.efaktura.trust_anchor
    if anchor is None:
        pytest.fail(
            "no e-Faktura trust anchor: set [features.efaktura] trust_anchor to the PEM of the CA "
            "that issued the signing certificate",
            pytrace=False,
        )
    return anchor


# --- banking -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bank_account_id(admin_api: FacturinoApi, environment: Environment) -> int:
    """The account to sync: ``[features.banking] account_id`` or the first one listed."""
    configured = environment.features.banking.account_id
    if configured is not None:
        return configured
    accounts = banking_checks.expect_accounts_shape(admin_api.banking_accounts())
    return int(accounts[0]["id"])


@pytest.fixture(scope="session")
def bank_sync(
    admin_api: FacturinoApi,
    postgres: DatabaseClient,
    deployment: Deployment,
    bank_account_id: int,
    environment: Environment,
) -> SyncObservation:
    """Trigger ``POST /api/v1/banking/sync/{account}`` once and watch: the job on its queue
    (the ``jobs`` table, or Redis with ``[queue] connection = "redis"``), its removal,
    failed_jobs, and the account's psd2 transactions (polled with the configured deadline,
    never slept)."""
    cfg = environment.features.banking
    configured = environment.redis.queues if environment.redis else ()
    queues = tuple(dict.fromkeys((*configured, cfg.queue)))  # all: a wrong queue shows, too
    with postgres.session() as db:
        failed_mark = featuredb.failed_jobs_mark(db)
        psd2_before = featuredb.psd2_transactions_mark(db, bank_account_id)
        redis = deployment.redis if environment.queue_connection == "redis" else None
        with job_watch(cfg, postgres, redis, queues) as watch:
            seen = watch_sync(watch, lambda: admin_api.banking_sync(bank_account_id), cfg)
        psd2_after = featuredb.psd2_transactions_mark(db, bank_account_id)
        new_failed = featuredb.failed_jobs_since(db, failed_mark)
        valid_token = featuredb.has_valid_bank_token(db, bank_account_id, environment.app.timezone)
    return SyncObservation(
        account_id=bank_account_id,
        trigger=seen.trigger,
        jobs_seen=[(job.queue, job.display_name) for job in seen.jobs],
        processed_unseen=seen.processed_unseen,
        still_queued=seen.still_queued,
        waited_seconds=seen.waited_seconds,
        new_failed_jobs=new_failed,
        psd2_before=psd2_before.count,
        psd2_after=psd2_after.count,
        valid_token=valid_token,
    )


# --- payment and partner -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def checkout_session(admin_api: FacturinoApi, environment: Environment) -> httpx.Response:
    """``POST /api/v1/companies/{id}/subscription/checkout`` once (a real Checkout Session:
    staging/sandbox only, tests marked ``writes``)."""
    p = environment.features.payment
    assert admin_api.company_id is not None
    return admin_api.checkout(
        admin_api.company_id, p.checkout_tier, p.checkout_interval, p.checkout_currency
    )


@pytest.fixture(scope="session")
def partner_ledger(postgres: DatabaseClient, environment: Environment) -> featuredb.PartnerLedger:
    """The partner test account's affiliate_events, pending payouts and active clients."""
    ledger = featuredb.partner_ledger(
        postgres, environment.accounts["partner"].email, environment.app.timezone
    )
    if ledger is None:
        pytest.fail(
            f"no partners row for {environment.accounts['partner'].email}: the partner test "
            "account must be a partner",
            pytrace=False,
        )
    return ledger
