"""Every question the suite asks a database, on PostgreSQL and on MariaDB (private servers,
`db_engines.py`): each passes on a healthy database and fails on a broken one, sessions are
read-only, bounded by the statement timeout and read naive UTC as UTC, and driver errors are
the suite's own, without the password."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from facturino_verify.checks import CheckFailed, data
from facturino_verify.clients import DatabaseClient, database_client, featuredb, opsdb, queueprobe
from facturino_verify.clients.errors import (
    AuthFailure,
    ConnectionRefused,
    SchemaMismatch,
    TargetError,
    TimedOut,
)
from facturino_verify.config.perf import HARMLESS_PROBE_JOBS

from .db_engines import ENGINES, PASSWORD, Server, start, utc

MANIFEST = ["2014_10_12_000000_create_users_table", "2026_08_18_000001_make_audit_logs"]
SYNC_JOB = "App\\Jobs\\SyncBankTransactions"
PROBE_JOB = next(iter(HARMLESS_PROBE_JOBS))


@pytest.fixture(scope="module", params=ENGINES)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One private server per engine for the module (PostgreSQL first, then MariaDB)."""
    with start(request.param) as running:
        yield running


@pytest.fixture
def db(server: Server) -> Server:
    """The server with every table empty."""
    server.empty()
    return server


@pytest.fixture
def client(db: Server) -> DatabaseClient:
    return database_client(db.config)


def local(zone: str, **ago: float) -> datetime:
    """Naive time in ``zone``, ``ago`` before now."""
    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0) - timedelta(**ago)


def failed_job(db: Server, failed_at: datetime, job: str = SYNC_JOB, **values: str) -> None:
    fields = {"uuid": f"u-{time.monotonic_ns()}", "connection": "database", "queue": "default"}
    fields.update(values)
    payload = f'{{"displayName": "{job.replace(chr(92), chr(92) * 2)}", "maxTries": 1}}'
    exception = fields.pop("exception", "RuntimeException: boom\n#0 trace")
    db.insert("failed_jobs", payload=payload, exception=exception, failed_at=failed_at, **fields)


def job(
    db: Server, queue: str = "default", reserved_ago: int | None = None, due_in: int = 0
) -> None:
    now = int(time.time())
    db.insert(
        "jobs",
        queue=queue,
        payload=f'{{"displayName": "{SYNC_JOB.replace(chr(92), chr(92) * 2)}"}}',
        attempts=0,
        reserved_at=None if reserved_ago is None else now - reserved_ago,
        available_at=now + due_in,
        created_at=now,
    )


# Connection, version, the session's guarantees ---------------------------------------------


def test_the_client_is_the_engines_and_answers_select_1(db: Server, client: DatabaseClient) -> None:
    assert (client.dialect.engine, client.select_one()) == (db.engine, 1)
    version = client.server_version()
    assert "MariaDB" in version if db.engine == "mysql" else version.split(".")[0].isdigit()


def test_sessions_are_read_only(db: Server, client: DatabaseClient) -> None:
    with pytest.raises(TargetError, match=r"(?i)read.only"):
        client.rows("INSERT INTO migrations (migration, batch) VALUES ('x', 1)")
    assert client.migrations() == []


def test_a_statement_past_the_timeout_is_cancelled(db: Server) -> None:
    client = database_client(db.with_config(statement_timeout_ms=300))
    sleep = "SELECT pg_sleep(5)" if db.engine == "postgresql" else "SELECT SLEEP(5)"
    started = time.monotonic()
    with pytest.raises(TimedOut):
        client.rows(sleep)
    assert time.monotonic() - started < 3


def test_wrong_password_is_an_auth_failure_that_never_shows_it(db: Server) -> None:
    if db.engine == "postgresql":
        pytest.skip("the throwaway cluster trusts its socket: no password to get wrong")
    wrong = "Wr0ng-" + PASSWORD
    client = database_client(db.with_config(password=SecretStr(wrong)))
    with pytest.raises(AuthFailure) as caught:
        client.select_one()
    assert PASSWORD not in str(caught.value) and "Wr0ng" not in str(caught.value)


def test_a_closed_port_is_connection_refused(db: Server, closed_port: int) -> None:
    client = database_client(db.with_config(host="127.0.0.1", port=closed_port))
    with pytest.raises(ConnectionRefused):
        client.select_one()


def test_a_missing_table_is_a_schema_problem(client: DatabaseClient) -> None:
    with pytest.raises(SchemaMismatch):
        client.rows("SELECT count(*) FROM telescope_entries")


# The smoke gate's questions -----------------------------------------------------------------


def test_migrations_pass_when_all_ran_and_fail_when_one_is_pending(
    db: Server, client: DatabaseClient
) -> None:
    db.insert("migrations", migration=MANIFEST[0], batch=1)
    with pytest.raises(CheckFailed, match="1 pending"):
        data.expect_no_pending_migrations(client.migrations(), MANIFEST)
    with pytest.raises(CheckFailed):
        data.expect_newest_migration(client.migrations(), MANIFEST[-1])
    db.insert("migrations", migration=MANIFEST[1], batch=2)
    assert client.migrations() == MANIFEST
    data.expect_no_pending_migrations(client.migrations(), MANIFEST)
    data.expect_newest_migration(client.migrations(), MANIFEST[-1])


def test_queue_snapshot_passes_on_a_healthy_queue(db: Server, client: DatabaseClient) -> None:
    job(db)
    job(db, "banking")
    job(db, reserved_ago=60)
    failed_job(db, utc(hours=2))  # outside the last hour
    snap = client.queue_snapshot(reserved_max_age_seconds=600)
    assert (snap.pending_by_queue, snap.reserved, snap.reserved_too_long) == (
        {"default": 1, "banking": 1},
        1,
        0,
    )
    assert snap.failed_last_hour == 0 and snap.failed_by_connection_24h == {"database": 1}
    assert snap.oldest_reserved_age_seconds is not None and snap.oldest_reserved_age_seconds >= 59
    data.expect_no_stuck_jobs(snap.reserved_too_long, snap.oldest_reserved_age_seconds, 600, "t")
    data.expect_failed_jobs_below(snap, 1)


def test_queue_snapshot_fails_on_a_stuck_job_and_recent_failures(
    db: Server, client: DatabaseClient
) -> None:
    job(db, reserved_ago=7200)
    failed_job(db, utc(minutes=50))
    failed_job(db, utc(minutes=70))  # read in the server's zone (+05:00) this would be "recent"
    snap = client.queue_snapshot(reserved_max_age_seconds=600)
    assert (snap.reserved_too_long, snap.failed_last_hour) == (1, 1)
    with pytest.raises(CheckFailed):
        data.expect_no_stuck_jobs(snap.reserved_too_long, snap.oldest_reserved_age_seconds, 600, "")
    with pytest.raises(CheckFailed):
        data.expect_failed_jobs_below(snap, 1)


def test_expiring_certificates_are_found_and_others_are_not(
    db: Server, client: DatabaseClient
) -> None:
    db.insert("certificates", company_id=1, name="far", valid_to=utc(days=-100))
    assert client.expiring_certificates(30) == []
    db.insert("certificates", company_id=2, name="soon", valid_to=utc(days=-3))
    db.insert("certificates", company_id=3, name="off", valid_to=utc(days=-3), is_active=False)
    ((company, name, days_left),) = client.expiring_certificates(30)
    assert (company, name) == (2, "soon") and 2.99 < days_left < 3.01


def test_no_certificates_table_means_none_expiring(db: Server, client: DatabaseClient) -> None:
    assert client.table_exists("certificates") and not client.table_exists("telescope_entries")


def test_failed_bank_sync_jobs_of_the_last_day_are_counted(
    db: Server, client: DatabaseClient
) -> None:
    failed_job(db, utc(hours=1), job="App\\Jobs\\SendInvoice")
    failed_job(db, utc(hours=30))
    assert client.failed_jobs_of((SYNC_JOB,)) == 0
    failed_job(db, utc(hours=23))
    assert client.failed_jobs_of((SYNC_JOB, "App\\Jobs\\Other")) == 1


# The daily/weekly questions ---------------------------------------------------------------


def test_database_queue_depth_and_oldest_due_job_per_queue(
    db: Server, client: DatabaseClient
) -> None:
    assert opsdb.database_queues(client, ["default"]).depth == {"default": 0}
    job(db)
    job(db, due_in=3600)
    db.run("UPDATE jobs SET available_at = available_at - 120 WHERE id = 1")
    figures = opsdb.database_queues(client, ["default", "banking"])
    assert figures.depth == {"default": 2, "banking": 0}
    age = figures.oldest_age_seconds["default"]
    assert age is not None and 119 <= age <= 125
    assert figures.oldest_age_seconds["banking"] is None


def test_failed_job_windows_split_the_last_two_days(db: Server, client: DatabaseClient) -> None:
    failed_job(db, utc(hours=1), queue="banking")
    failed_job(db, utc(hours=30))
    failed_job(db, utc(hours=50))
    windows = opsdb.failed_job_windows(client)
    assert (windows.last_24h, windows.previous_24h, windows.by_queue_24h) == (1, 1, {"banking": 1})


def test_row_counts_of_core_tables_and_none_for_a_missing_one(
    db: Server, client: DatabaseClient
) -> None:
    db.insert("users", email="a@example.com")
    counts = opsdb.row_counts(
        client.rows, ["users", "companies", "telescope_entries"], client.dialect
    )
    assert counts == {"users": 1, "companies": 0, "telescope_entries": None}


# The feature flows' and the perf suite's questions -------------------------------------------


def test_feature_queue_questions(db: Server, client: DatabaseClient) -> None:
    with client.session() as s:
        assert featuredb.jobs_sequence_value(s) == 0
        job(db)
        job(db)
        job(db, "banking")
        db.run("DELETE FROM jobs WHERE id < 3")
        assert featuredb.jobs_sequence_value(s) == 3  # deleted rows' ids count
        assert featuredb.jobs_mark(s) == featuredb.Watermark(1, 3)
        assert [(j.id, j.queue, j.display_name) for j in featuredb.new_jobs(s, 0)] == [
            (3, "banking", SYNC_JOB)
        ]
        assert featuredb.job_exists(s, 3) and not featuredb.job_exists(s, 1)
        mark = featuredb.failed_jobs_mark(s)
        failed_job(db, utc(minutes=1), exception="RuntimeException: no token\n#0 trace")
        assert featuredb.failed_jobs_since(s, mark) == [
            (1, "default", "RuntimeException: no token")
        ]


def test_bank_sync_imports_and_token_validity(db: Server, client: DatabaseClient) -> None:
    db.insert("bank_accounts", company_id=1, bank_code="nlb")
    db.insert("bank_accounts", company_id=1, bank_code="stb")
    db.insert("bank_transactions", bank_account_id=1, source="psd2", created_at=utc(hours=2))
    db.insert("bank_tokens", company_id=1, bank_code="nlb", expires_at=utc(hours=-1))
    db.insert("bank_tokens", company_id=1, bank_code="stb", expires_at=utc(minutes=-2))
    # The app's zone (far from UTC here): tokens and imports are written in it, not in UTC.
    zone = "Pacific/Kiritimati"
    db.run("UPDATE bank_tokens SET expires_at = %s WHERE id = 1", (local(zone, hours=-1),))
    db.run("UPDATE bank_tokens SET expires_at = %s WHERE id = 2", (local(zone, minutes=-2),))
    db.run("UPDATE bank_transactions SET created_at = %s", (local(zone, hours=2),))
    first, second = featuredb.psd2_imports(client, [1, 2], zone)
    assert first.valid_token and not second.valid_token
    assert first.age_hours is not None and 1.99 < first.age_hours < 2.01
    assert (second.newest_import, second.age_hours) == (None, None)
    assert featuredb.has_valid_bank_token(client, 1, zone)
    assert not featuredb.has_valid_bank_token(client, 2, zone)
    assert featuredb.psd2_transactions_mark(client, 1) == featuredb.Watermark(1, 1)


def test_partner_ledger_and_what_a_run_left(db: Server, client: DatabaseClient) -> None:
    assert featuredb.partner_ledger(client, "partner@example.com") is None
    db.insert("users", email="partner@example.com")
    db.insert("partners", user_id=1)
    db.insert("companies", name="client")
    db.insert("partner_company_links", partner_id=1, company_id=1)
    db.insert("partner_company_links", partner_id=1, company_id=9)  # its company is gone
    db.insert("payouts", partner_id=1, amount="12.50", payout_date="2026-12-31", status="pending")
    ledger = featuredb.partner_ledger(client, "partner@example.com", "Pacific/Kiritimati")
    assert ledger is not None
    month = datetime.now(ZoneInfo("Pacific/Kiritimati")).strftime("%Y-%m")
    assert (ledger.active_clients, ledger.this_month) == (1, month)
    assert ledger.pending_payouts[0]["amount"] == 12.5
    db.insert("customers", name="run-tag-42 customer", email="x@example.com")
    assert featuredb.rows_tagged(client, "run-tag-42") == {"customers": [1]}
    assert featuredb.webhook_events_count(client) == 0


def test_perf_probe_job_is_the_one_write_and_is_withdrawn(
    db: Server, client: DatabaseClient
) -> None:
    job(db, due_in=3600)  # not due: not pending
    assert queueprobe.pending(client).count == 0
    job_id, job_uuid = queueprobe.dispatch_probe(client, "default", PROBE_JOB)
    pending = queueprobe.pending(client)
    assert (pending.count, pending.oldest_id, pending.oldest_queue) == (1, job_id, "default")
    assert queueprobe.job_state(client, job_id, job_uuid) == queueprobe.JobState(True, False, False)
    assert queueprobe.withdraw_probe(client, job_id)
    assert not queueprobe.withdraw_probe(client, job_id)
    with pytest.raises(TargetError, match=r"(?i)read.only"):  # the sessions after it: read-only
        client.rows("DELETE FROM jobs")
