"""Runbook 'Banking: trigger bank sync → transactions fetched' (contract §7).

Read-only everywhere: status and accounts answer with the contract's shape and the last sync is
recent (judged on the newest psd2 import; the real API's last_sync_at is updated_at). Where
writes are allowed: one sync is triggered and the database is watched (polled with
``[features.banking] sync_deadline_seconds``): the job on queue ``banking``, its removal by the
worker, no new failed_jobs row, new psd2 transactions.
"""

from __future__ import annotations

import pytest

from facturino_verify.checks import banking
from facturino_verify.clients import DatabaseClient, featuredb
from facturino_verify.clients.facturino_api import FacturinoApi
from facturino_verify.config import Environment
from facturino_verify.runs.flows import SyncObservation

pytestmark = [pytest.mark.features, pytest.mark.admin_account]


def test_banking_status_lists_banks_with_contract_keys(admin_api: FacturinoApi) -> None:
    banking.expect_status_shape(admin_api.banking_status())


def test_banking_accounts_have_contract_keys(admin_api: FacturinoApi) -> None:
    banking.expect_accounts_shape(admin_api.banking_accounts())


@pytest.mark.db
def test_last_bank_sync_is_recent(
    admin_api: FacturinoApi, postgres: DatabaseClient, environment: Environment
) -> None:
    """Judged on what only a sync produces (the newest psd2 transaction's import time), read
    only: the API's last_sync_at is the account's updated_at, which no sync writes."""
    accounts = banking.expect_accounts_shape(admin_api.banking_accounts())
    ids = [int(a["id"]) for a in accounts if isinstance(a.get("id"), int)]
    imports = featuredb.psd2_imports(postgres, ids, environment.app.timezone)
    if reason := banking.last_sync_not_judged_because(imports):
        pytest.skip(reason)
    banking.expect_recent_psd2_import(
        imports,
        environment.features.banking.last_sync_max_age_hours,
        banking.newest_api_last_sync(accounts),
    )


@pytest.mark.writes
@pytest.mark.db
def test_sync_request_is_accepted(bank_sync: SyncObservation) -> None:
    banking.expect_sync_started(bank_sync.trigger, bank_sync.account_id)


@pytest.mark.writes
@pytest.mark.db
def test_sync_job_is_queued_on_banking(
    bank_sync: SyncObservation, environment: Environment
) -> None:
    cfg = environment.features.banking
    banking.expect_job_queued(
        bank_sync.jobs_seen, cfg.queue, cfg.job_name, bank_sync.processed_unseen
    )


@pytest.mark.writes
@pytest.mark.db
def test_worker_processes_the_sync_job(
    bank_sync: SyncObservation, environment: Environment
) -> None:
    banking.expect_job_processed(
        bank_sync.still_queued,
        bank_sync.waited_seconds,
        environment.features.banking.job_name,
        observed=bool(bank_sync.jobs_seen) or bank_sync.processed_unseen,
    )


@pytest.mark.writes
@pytest.mark.db
def test_sync_adds_no_failed_job(bank_sync: SyncObservation) -> None:
    banking.expect_no_new_failed_jobs(bank_sync.new_failed_jobs)


@pytest.mark.writes
@pytest.mark.db
def test_sync_imports_psd2_transactions(
    bank_sync: SyncObservation, environment: Environment
) -> None:
    mode = environment.features.banking.new_transactions
    if reason := banking.import_not_judged_because(mode, bank_sync.valid_token):
        pytest.skip(f"{reason} (psd2 rows {bank_sync.psd2_before} → {bank_sync.psd2_after})")
    banking.expect_new_psd2_transactions(
        bank_sync.psd2_before, bank_sync.psd2_after, bank_sync.waited_seconds
    )
