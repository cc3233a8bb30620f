"""The faults of the scheduled operations checks (daily/weekly) and the scheduled-operations
side of a deployment: the backups `backup:run --only-db` leaves (in the backup folder and, when
asked, the S3-compatible bucket). Each fault is real state: archives, rows, a full file system.
`trips` are the smoke tests each one fails; tests/test_fault_matrix_ops.py proves what each
one fails in the daily and weekly suites.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
import redis

from facturino_reference import artisan, backup, bucket, mysqlconn, railwaycli, release
from facturino_reference.appenv import mysql_info, read_env_file
from facturino_reference.errors import DeploymentError
from facturino_reference.faults.model import HEALTH_503, Fault
from facturino_reference.jobs import make_payload
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.paths import HomeLayout

Conn = psycopg.Connection[Any] | MySQLConnection  # mysqlconn on `up --db mysql`
FAULTS: tuple[Fault, ...] = (
    Fault(
        "backup_stale",
        "the scheduler died 30 h ago: the newest backup (folder and bucket) was taken then, and "
        "12 customers signed up since (the backup lags the live data); /health still passes "
        "(it tolerates 48 h)",
        (),
        {},
        None,
    ),
    Fault(
        "backup_empty",
        "the dump step produced nothing: the newest archive is a zip without db-dumps/",
        (),
        {},
        None,
    ),
    Fault(
        "backup_corrupt",
        "the newest archive's db-dumps/postgresql-facturino.sql.gz (mysql-facturino.sql.gz on "
        "--db mysql) is damaged mid-stream "
        "(64 bytes overwritten): the zip and its size look fine, the dump does not restore",
        (),
        {},
        None,
    ),
    Fault(
        "backup_partial",
        "the dumper's table list is wrong: `settings` is not dumped and invoices (with every "
        "row that references one) are dumped without data; the dump restores",
        (),
        {},
        None,
    ),
    Fault(
        "no_backups",
        "no backup was ever written: the folder and the bucket are empty, backup:list prints "
        "'No backups found.' (/health's backup check passes when there is no zip at all)",
        (),
        {},
        None,
    ),
    Fault(
        "disk_full",
        "storage/ is a 32 MiB volume (tmpfs; needs root) that a runaway storage/logs/"
        "laravel.log filled to 97 %: /health storage=false (under 10 % free), "
        "fakturino_invoiceshelf_disk_usage_percent 97, `df -h` 97 %",
        (*HEALTH_503, "test_health_check_passes[storage]"),
        {},
        None,
    ),
    Fault(
        "failed_jobs_growing",
        "40 jobs failed in the last 24 h (none in the last hour) against 5 in the 24 h before: "
        "below the 24 h threshold, but growing",
        (),
        {},
        None,
    ),
    Fault(
        "queue_over_max",
        "the e-invoice API is down: 150 SubmitEInvoiceJob rows were released with a 1 h backoff "
        "and wait on `einvoice` (queue:monitor ALERT)",
        ("test_pending_jobs_below_threshold[*]",),
        {},
        None,
    ),
    Fault(
        "redis_queue_over_max",
        "150 released SubmitEInvoiceJob payloads wait in the Redis queue "
        "(facturino_queues:einvoice:delayed), pushed by a producer on the redis connection "
        "while the app and its workers use the database queue",
        ("test_jobs_are_only_on_the_configured_queue_connection",),
        {},
        None,
    ),
    Fault(
        "job_class_missing",
        "the queue worker died, and a job of a class this release no longer has "
        "(App\\Jobs\\SendInvoiceReminder) waits on `default`: `queue:work --once` FAILs on it",
        (),
        {},
        None,
    ),
    # The pre-deployment checklist's faults (tests/test_fault_matrix_predeploy.py): they change
    # the next release (HOME/release-next, release.py), never the running deployment.
    Fault(
        "failing_migration",
        "the next release ships a migration that indexes invoices.approved_at, a column no "
        "migration creates: PostgreSQL and MariaDB refuse it when the rehearsal migrates the "
        "restored copy (the deployment itself is untouched)",
        (),
        {},
        None,
    ),
    Fault(
        "migration_parse_error",
        "the next release ships a migration file with a merge conflict left in it: artisan "
        "cannot load it, so `migrate --pretend` and `migrate` stop with a ParseError (exit 255) "
        "and `migrate:status` (which reads no file) lists it Pending",
        (),
        {},
        None,
    ),
    Fault(
        "no_last_good_deployment",
        "a first deployment: no earlier release to roll back to, so HOME/environment.toml "
        "names no [predeploy] last_good_release",
        (),
        {},
        None,
    ),
    # The runtime configuration (issue 15): what `printenv` and `about --only=cache` show.
    Fault(
        "telescope_enabled",
        "TELESCOPE_ENABLED=true left from a debugging session (the runbook wants false); "
        "Telescope is require-dev, so nothing outside changes: only printenv shows it",
        (),
        {"TELESCOPE_ENABLED": "true"},
        None,
    ),
    Fault(
        "config_not_cached",
        "the release ran `php artisan config:clear` and never `config:cache` (what the real "
        "entrypoint does): `about --only=cache` shows config NOT CACHED; routes, views and "
        "events are cached",
        (),
        {"MK_BUILD_CONFIG_CACHE": "cleared"},
        None,
    ),
    Fault(
        "debug_headers_forced",
        "APP_DEBUG=false, but what sits in front adds X-Debug-Performance to every request, so "
        "the app sends X-Execution-Time/X-Memory-Usage/X-Request-ID anyway "
        "(PerformanceMonitoringMiddleware.php:59)",
        ("test_no_debug_headers_on_ordinary_responses[*]",),
        {"DEBUG_PERFORMANCE_HEADER": "always"},
        None,
    ),
)

STALE_HOURS = 30
# Faults whose deployment runs without the queue worker (deployment.py does not start it).
NO_WORKER = frozenset({"job_class_missing"})
DISK_BYTES = 32 * 1024 * 1024
DISK_FILL = 0.97


# --- storage volume (disk_full) ---------------------------------------------------------------
def prepare_storage(layout: HomeLayout, faults: Mapping[str, str | None]) -> None:
    """`disk_full`: storage/ becomes a small volume of its own (a tmpfs mount), like a Railway
    volume or a bind mount; filled at the end of `up` by :func:`fill_storage`."""
    if "disk_full" not in faults:
        return
    if os.geteuid() != 0:
        raise DeploymentError("the disk_full fault mounts a small tmpfs on storage/: needs root")
    layout.storage.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size={DISK_BYTES},mode=0755",
            "tmpfs",
            str(layout.storage),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DeploymentError(f"disk_full: mounting a tmpfs on storage/ failed: {done.stderr}")


def fill_storage(layout: HomeLayout, faults: Mapping[str, str | None]) -> None:
    if "disk_full" not in faults:
        return
    usage = shutil.disk_usage(layout.storage)
    logs = layout.storage / "logs"
    logs.mkdir(exist_ok=True)
    needed = int(usage.total * DISK_FILL) - usage.used
    with (logs / "laravel.log").open("ab") as log:
        line = b"[2026-08-21 03:00:00] production.ERROR: cURL error 28 (retrying)\n"
        log.write(line * max(0, needed // len(line)))


def unmount_all(home: Path) -> None:
    """Unmount whatever a fault mounted inside `home` (before the home is deleted)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return
    root = str(home.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) > 1 and (parts[1] == root or parts[1].startswith(root + "/")):
            subprocess.run(["umount", "-l", parts[1]], capture_output=True, check=False)


# --- rows -------------------------------------------------------------------------------------
def apply_db(conn: Conn, faults: Mapping[str, str | None]) -> None:
    if "failed_jobs_growing" in faults:
        _failed_jobs(conn, [(3600 + 2000 * i) for i in range(40)])  # 1 h .. 23 h ago
        _failed_jobs(conn, [(90000 + 10000 * i) for i in range(5)])  # 25 h .. 36 h ago
    if "job_class_missing" in faults:
        _missing_class_job(conn)
    if "queue_over_max" in faults:
        now = int(time.time())
        rows = [("einvoice", _einvoice_payload(), 1, now + 3600, now - 60 - i) for i in range(150)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, "
                "created_at) VALUES (%s, %s, %s, NULL, %s, %s)",
                rows,
            )


def _missing_class_job(conn: Conn) -> None:
    """Dispatched by the previous release; this release renamed the class (the worker would
    fail with "Class not found")."""
    now = int(time.time())
    conn.execute(
        "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
        "VALUES ('default', %s, 0, NULL, %s, %s)",
        (make_payload("SendInvoiceReminder"), now - 30, now - 30),
    )


def _einvoice_payload() -> str:
    return make_payload("SubmitEInvoiceJob")


def _failed_jobs(conn: Conn, ages_seconds: list[int]) -> None:
    exception = (
        "Illuminate\\Http\\Client\\ConnectionException: cURL error 28: Operation timed out "
        "after 30001 milliseconds (ujp.gov.mk)"
    )
    rows = [(str(uuid.uuid4()), _einvoice_payload(), exception, age) for age in ages_seconds]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, failed_at) "
            "VALUES (%s, 'database', 'einvoice', %s, %s, "
            "(now() at time zone 'UTC') - make_interval(secs => %s))",
            rows,
        )


def apply_redis(env: Mapping[str, str], faults: Mapping[str, str | None]) -> None:
    """`redis_queue_over_max`: Laravel's RedisQueue keeps released jobs in `:delayed`."""
    if "redis_queue_over_max" not in faults:
        return
    client = redis.Redis(
        host=env["REDIS_HOST"],
        port=int(env["REDIS_PORT"]),
        password=env.get("REDIS_PASSWORD") or None,
        db=int(env["REDIS_QUEUE_DB"]),
        socket_timeout=2.0,
    )
    due = time.time() + 3600
    with client:
        key = f"{env['REDIS_PREFIX']}queues:einvoice:delayed"
        client.zadd(key, {_einvoice_payload(): due for _ in range(150)})


# --- backups ----------------------------------------------------------------------------------
def start_bucket(layout: HomeLayout, port_base: int, pids: dict[str, int]) -> None:
    """The local S3-compatible bucket, when asked; its R2 settings join the app's .env."""
    if not bucket.wanted():
        return
    port = bucket.port_for(port_base)
    bucket.start(layout, port, pids)
    with layout.app_env.open("a", encoding="utf-8") as env_file:
        env_file.writelines(f"{k}={v}\n" for k, v in bucket.env_entries(port).items())


def take_backups(layout: HomeLayout, faults: Mapping[str, str | None]) -> None:
    """The scheduler's last `backup:run --only-db`, shaped by the active faults."""
    if "no_backups" in faults:
        return
    env = read_env_file(layout.app_env)
    now = dt.datetime.now(dt.UTC)
    when = now - dt.timedelta(hours=STALE_HOURS) if "backup_stale" in faults else now
    if "health_degraded" in faults:
        when = now - dt.timedelta(days=3)
    variant = next((v for v in ("empty", "corrupt", "partial") if f"backup_{v}" in faults), "good")
    packed = _dump(env, variant)
    name = backup.spatie_name(when)
    entry = backup.dump_entry(env.get("DB_CONNECTION", "pgsql"))
    archive = backup.write_archive(layout.backup_dir(env["APP_NAME"]) / name, packed, when, entry)
    if env.get("R2_BACKUP_BUCKET"):
        bucket.upload(env, archive, f"{env['APP_NAME']}/{name}")
    if "backup_stale" in faults:
        _signups_since(env)


def _dump(env: Mapping[str, str], variant: str) -> bytes | None:
    info = mysql_info(env)
    if info is not None:
        return backup.mysql_dump_for(variant, info)
    port, password = int(env["DB_PORT"]), env["DB_PASSWORD"]
    partial = _partial_args(env) if variant == "partial" else []
    return backup.dump_for(variant, port, password, partial)


def _connect(env: Mapping[str, str]) -> Conn:
    info = mysql_info(env)
    if info is not None:
        return mysqlconn.connect(info)
    return psycopg.connect(
        host=env["DB_HOST"],
        port=env["DB_PORT"],
        dbname=env["DB_DATABASE"],
        user=env["DB_USERNAME"],
        password=env["DB_PASSWORD"],
        autocommit=True,
    )


def _partial_args(env: Mapping[str, str]) -> list[str]:
    """`settings` left out, invoices and everything referencing them (transitively) without
    data: a dump that restores, with holes."""
    with _connect(env) as conn:
        tables, frontier = {"invoices"}, ["invoices"]
        while frontier:
            rows = conn.execute(
                "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
                " AND confrelid = %s::regclass",
                (frontier.pop(),),
            ).fetchall()
            for (table,) in rows:
                if table not in tables:
                    tables.add(table)
                    frontier.append(table)
    return ["--exclude-table=settings", *(f"--exclude-table-data={t}" for t in sorted(tables))]


def _signups_since(env: Mapping[str, str]) -> None:
    with _connect(env) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO customers (name, email, company_id, currency_id, created_at, updated_at)"
            " VALUES (%s, %s, 1, 1, now() - make_interval(hours => %s), now())",
            [(f"Клиент {i}", f"client{i}@example.mk", i) for i in range(1, 13)],
        )


def after_start(
    layout: HomeLayout,
    port_base: int,
    pids: dict[str, int],
    env: Mapping[str, str],
    faults: Mapping[str, str | None],
) -> None:
    """Once the database and Redis run: the shell entry, the bucket (when asked), the queue
    fault in Redis, the scheduler's last backup, and the full disk."""
    artisan.write_entry(layout)
    railwaycli.write_entry(layout)
    release.write_next_release(layout, faults)
    start_bucket(layout, port_base, pids)
    apply_redis(env, faults)
    take_backups(layout, faults)
    fill_storage(layout, faults)
