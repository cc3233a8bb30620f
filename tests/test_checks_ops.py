"""Units of the daily/weekly layer: parsers of Laravel's and coreutils' real output, the pure
checks, the trend arithmetic, the shell allow-list and the restore drill's throwaway server."""

from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from facturino_verify.checks import CheckFailed, remedies, trend
from facturino_verify.checks import ops as checks
from facturino_verify.checks import restore as drill
from facturino_verify.checks.artisan import (
    parse_about_drivers,
    parse_backup_list,
    parse_df,
    parse_human_size,
    parse_migrate_status,
    parse_queue_monitor,
    parse_queue_work,
)
from facturino_verify.clients import shell
from facturino_verify.clients.errors import TimedOut
from facturino_verify.clients.pgdump import roles_in_dump, roles_in_statement
from facturino_verify.clients.restore import RestoreFailed, ThrowawayPostgres, find_pg_bin, restore
from facturino_verify.redact import Redactor
from facturino_verify.report.history import trend_chart
from facturino_verify.runs.history import previous

ESC = "\x1b"
# Laravel 12 `migrate:status` (Termwind, colours on): one Pending.
MIGRATE_STATUS = f"""
  {ESC}[90mMigration name{ESC}[39m ............................ {ESC}[90mBatch / Status{ESC}[39m
  2014_10_12_000000_create_users_table .......................... [1] {ESC}[1;32mRan{ESC}[39;22m
  2026_05_24_000001_create_import_calculations_table ............ [11] {ESC}[1;32mRan{ESC}[39;22m
  2026_08_18_000001_make_audit_logs_company_id_nullable ........... {ESC}[1;33mPending{ESC}[39;22m

"""
# Laravel <= 8: the Symfony table.
MIGRATE_STATUS_OLD = """+------+--------------------------------------+-------+
| Ran? | Migration                            | Batch |
+------+--------------------------------------+-------+
| Yes  | 2014_10_12_000000_create_users_table | 1     |
| No   | 2026_08_18_000001_make_audit_logs_x  |       |
+------+--------------------------------------+-------+
"""
QUEUE_MONITOR = """
  Queue name .................................................. Size / Status
  [database] default ................................................. [0] OK
  Pending jobs ............................................................. 0
  Delayed jobs ............................................................. 0
  Reserved jobs ............................................................ 0
  Oldest pending job ..................................................... N/A

  [database] einvoice .......................................... [150] ALERT
  Pending jobs ........................................................... 150

"""
BACKUP_LIST = """
   INFO  Found 2 backup(s) on disk: r2backup

+-------------------------+-----------+---------------------+
| Filename                | Size      | Created             |
+-------------------------+-----------+---------------------+
| 2026-08-21-12-00-01.zip | 1,023.50 KB | 2026-08-21 12:00:09 |
| 2026-08-21-06-00-01.zip | 2.10 MB   | 2026-08-21 06:00:07 |
+-------------------------+-----------+---------------------+

   INFO  Total backup storage: 3.10 MB
"""
DF = """Filesystem                                  Size  Used Avail Use% Mounted on
overlay                                      75G   40G   32G  56% /
tmpfs                                        64M     0   64M   0% /dev
shm                                          64M     0   64M   0% /dev/shm
/dev/mapper/very-long-volume-group-name-storage-volume
                                            9.8G  9.4G  400M  96% /var/www/html/storage/app
"""
QUEUE_WORK = """
   INFO  Processing jobs from the [default] queue.

  2026-08-21 12:00:00 App\\Jobs\\SendInvoiceReminder ............... RUNNING
  2026-08-21 12:00:00 App\\Jobs\\SendInvoiceReminder ......... 3.21ms FAIL
"""
NOW = dt.datetime(2026, 8, 21, 14, 0, tzinfo=dt.UTC)


def test_migrate_status_parses_both_formats_with_batches_and_pending() -> None:
    states = parse_migrate_status(MIGRATE_STATUS)
    assert [(s.batch, s.status) for s in states] == [(1, "Ran"), (11, "Ran"), (None, "Pending")]
    old = parse_migrate_status(MIGRATE_STATUS_OLD)
    assert [s.status for s in old] == ["Ran", "Pending"]
    with pytest.raises(CheckFailed, match=r"1 Pending: 2026_08_18_000001"):
        checks.expect_no_pending_migration(states, MIGRATE_STATUS)
    with pytest.raises(CheckFailed, match="Pending"):
        checks.expect_migration_ran(states, "2026_08_18_000001_make_audit_logs_company_id_nullable")
    checks.expect_migration_ran(states, "2014_10_12_000000_create_users_table")
    with pytest.raises(CheckFailed, match="lists the migrations"):
        checks.expect_no_pending_migration(parse_migrate_status("Migration table not found."), "")


# `php artisan about --only=drivers --json` (Laravel 12), after a PHP deprecation notice.
ABOUT_DRIVERS = (
    "PHP Deprecated:  something in Unknown on line 0\n"
    '{"drivers":{"broadcasting":"log","cache":"redis","database":"pgsql",'
    '"logs":["single"],"mail":"smtp","queue":"database","session":"redis"}}\n'
)


def test_about_drivers_json_gives_the_apps_drivers() -> None:
    drivers = parse_about_drivers(ABOUT_DRIVERS)
    assert (drivers["cache"], drivers["queue"], drivers["session"]) == (
        "redis",
        "database",
        "redis",
    )
    assert "logs" not in drivers  # a list (the stack's channels), not a driver name
    assert parse_about_drivers('  ERROR  Command "about" is not defined.') == {}


def test_drivers_must_be_the_ones_the_environment_says() -> None:
    seen = parse_about_drivers(ABOUT_DRIVERS)
    expected = {"queue": ("database", "[queue] connection"), "cache": ("redis", "x")}
    checks.expect_drivers(seen, expected, ABOUT_DRIVERS)
    with pytest.raises(CheckFailed) as caught:
        checks.expect_drivers(seen, {"queue": ("redis", "[queue] connection")}, "")
    assert caught.value.seen == {"queue": "app: database, environment: redis ([queue] connection)"}
    assert caught.value.remedy == remedies.QUEUE_CONNECTION
    with pytest.raises(CheckFailed, match="shows the app's drivers"):
        checks.expect_drivers({}, expected, "Command not found")


# Facturino at d5d901d7 has four migrations outside Laravel's date_time_name pattern, and one
# with a space in its name.
MIGRATE_STATUS_NONSTANDARD = f"""
  {ESC}[90mMigration name{ESC}[39m ............................ {ESC}[90mBatch / Status{ESC}[39m
  2018_11_02_133825_create_ expense_categories_table ............ [1] {ESC}[1;32mRan{ESC}[39;22m
  2025_07_24_core ............................................... [2] {ESC}[1;32mRan{ESC}[39;22m
  2025_08_51_enable_ifrs_for_all_companies ...................... [9] {ESC}[1;32mRan{ESC}[39;22m
  2025_08_52_add_linked_fields_to_bank_transactions ............... {ESC}[1;33mPending{ESC}[39;22m
  2026_08_18_000001_make_audit_logs_company_id_nullable ........ [71] {ESC}[1;32mRan{ESC}[39;22m

"""


def test_migrate_status_reads_migrations_with_non_standard_names() -> None:
    states = parse_migrate_status(MIGRATE_STATUS_NONSTANDARD)
    assert [(s.name, s.batch, s.status) for s in states] == [
        ("2018_11_02_133825_create_ expense_categories_table", 1, "Ran"),
        ("2025_07_24_core", 2, "Ran"),
        ("2025_08_51_enable_ifrs_for_all_companies", 9, "Ran"),
        ("2025_08_52_add_linked_fields_to_bank_transactions", None, "Pending"),
        ("2026_08_18_000001_make_audit_logs_company_id_nullable", 71, "Ran"),
    ]
    with pytest.raises(CheckFailed, match=r"1 Pending: 2025_08_52_add_linked_fields"):
        checks.expect_no_pending_migration(states, MIGRATE_STATUS_NONSTANDARD)
    checks.expect_migration_ran(states, "2026_08_18_000001_make_audit_logs_company_id_nullable")


def test_queue_monitor_lines_give_size_and_status_per_queue() -> None:
    sizes = parse_queue_monitor(QUEUE_MONITOR)
    assert [(s.connection, s.queue, s.size, s.status) for s in sizes] == [
        ("database", "default", 0, "OK"),
        ("database", "einvoice", 150, "ALERT"),
    ]
    with pytest.raises(CheckFailed, match=r"ALERT: \{'einvoice': 150\}"):
        checks.expect_monitor_ok(sizes, ["default", "einvoice"], QUEUE_MONITOR)
    with pytest.raises(CheckFailed, match="missing \\['banking'\\]"):
        checks.expect_monitor_ok(sizes[:1], ["default", "banking"], QUEUE_MONITOR)


def test_backup_list_table_no_backups_and_other_output() -> None:
    rows = parse_backup_list(BACKUP_LIST)
    assert rows is not None
    assert [r.filename for r in rows] == ["2026-08-21-12-00-01.zip", "2026-08-21-06-00-01.zip"]
    assert rows[0].size_bytes == int(1023.5 * 1024)
    assert parse_backup_list("\n   INFO  No backups found.\n") == []
    assert parse_backup_list('Command "backup:list" is not defined.') is None
    assert parse_human_size("512 bytes") == 512
    with pytest.raises(CheckFailed, match="prints its table"):
        checks.from_listing(None, "UTC", "garbage")


def test_df_rows_wrapped_device_names_and_plumbing_ignored() -> None:
    rows = parse_df(DF)
    assert rows is not None
    assert [(r.mount, r.use_percent) for r in rows][-1] == ("/var/www/html/storage/app", 96)
    storage = checks.storage_filesystems(rows, ("/dev", "/proc"), DF)
    assert [r.mount for r in storage] == ["/", "/var/www/html/storage/app"]
    with pytest.raises(CheckFailed, match="/var/www/html/storage/app"):
        checks.expect_df_below(storage, 90)
    checks.expect_df_below(storage[:1], 90)
    with pytest.raises(CheckFailed, match="prints its table"):
        checks.storage_filesystems(parse_df("df: not found"), (), "df: not found")


def test_queue_work_once_fail_line_fails_the_check() -> None:
    jobs = parse_queue_work(QUEUE_WORK)
    assert [j.status for j in jobs] == ["RUNNING", "FAIL"]
    with pytest.raises(CheckFailed, match="App\\\\\\\\Jobs"):
        checks.expect_worked_once(0, jobs, QUEUE_WORK)
    checks.expect_worked_once(0, [], "INFO  Processing jobs from the [default] queue.")
    with pytest.raises(CheckFailed, match="exit 1"):
        checks.expect_worked_once(1, [], "boom")


def test_backup_age_comes_from_the_spatie_name_else_the_listing() -> None:
    listed = dt.datetime(2026, 8, 21, 13, 0, tzinfo=dt.UTC)
    assert checks.taken_at("2026-08-20-08-00-00.zip", listed, "UTC") == dt.datetime(
        2026, 8, 20, 8, 0, tzinfo=dt.UTC
    )
    skopje = checks.taken_at("2026-08-20-08-00-00.zip", listed, "Europe/Skopje")
    assert skopje.astimezone(dt.UTC).hour == 6
    assert checks.taken_at("manual.zip", listed, "UTC") == listed
    old = checks.Backup(
        "2026-08-20-08-00-00.zip", 50_000, dt.datetime(2026, 8, 20, 8, tzinfo=dt.UTC), "folder"
    )
    new = checks.Backup(
        "2026-08-21-12-00-00.zip", 10, dt.datetime(2026, 8, 21, 12, tzinfo=dt.UTC), "folder"
    )
    assert checks.newest_backup([old, new], "folder") is new
    assert checks.expect_recent(new, 26, NOW) == pytest.approx(2.0)
    with pytest.raises(CheckFailed, match=r"30\.0 h old"):
        checks.expect_recent(old, 26, NOW)
    with pytest.raises(CheckFailed, match="10 bytes"):
        checks.expect_large_enough(new, 4096)
    with pytest.raises(CheckFailed, match="holds a backup"):
        checks.newest_backup([], "the backup bucket")


def test_dump_entry_needs_a_non_empty_db_dump(tmp_path: Path) -> None:
    good, empty, junk = tmp_path / "good.zip", tmp_path / "empty.zip", tmp_path / "junk.zip"
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("db-dumps/postgresql-facturino.sql.gz", gzip.compress(b"SELECT 1;"))
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("manifest.txt", "nothing")
    junk.write_bytes(b"not a zip")
    assert checks.dump_entry(good, "folder") == "db-dumps/postgresql-facturino.sql.gz"
    with pytest.raises(CheckFailed, match=r"manifest\.txt"):
        checks.dump_entry(empty, "folder")
    with pytest.raises(CheckFailed, match=r"is a zip"):
        checks.dump_entry(junk, "folder")


def test_queue_figures_against_per_queue_limits() -> None:
    checks.expect_depths({"default": 3, "einvoice": 0}, {"default": 100, "einvoice": 100}, "db")
    with pytest.raises(CheckFailed, match="'einvoice': 150"):
        checks.expect_depths({"default": 3, "einvoice": 150}, {"default": 5, "einvoice": 100}, "db")
    checks.expect_oldest_ages({"default": None, "high": 30}, 600, "db")
    with pytest.raises(CheckFailed, match="905 s"):
        checks.expect_oldest_ages({"default": 905}, 600, "db")


def test_failed_jobs_threshold_and_growth() -> None:
    checks.expect_failed_below(99, 100, {})
    with pytest.raises(CheckFailed, match="150"):
        checks.expect_failed_below(150, 100, {"banking": 150})
    checks.expect_not_growing(40, checks.Baseline(38, "the run of yesterday"), 10)
    with pytest.raises(CheckFailed, match=r"\+35"):
        checks.expect_not_growing(40, checks.Baseline(5, "the 24 h before"), 10)


EXPOSITION = """# TYPE fakturino_http_requests_total counter
fakturino_http_requests_total{method="GET",route="up",status_class="2xx"} 90.0
fakturino_http_requests_total{method="GET",route="api/v1/app/version",status_class="5xx"} 10.0
# TYPE fakturino_http_request_duration_ms histogram
fakturino_http_request_duration_ms_bucket{le="100.0",method="GET",route="up"} 80.0
fakturino_http_request_duration_ms_bucket{le="500.0",method="GET",route="up"} 100.0
fakturino_http_request_duration_ms_bucket{le="+Inf",method="GET",route="up"} 100.0
fakturino_http_request_duration_ms_count{method="GET",route="up"} 100.0
fakturino_http_request_duration_ms_sum{method="GET",route="up"} 9000.0
# TYPE fakturino_invoiceshelf_uptime_seconds gauge
fakturino_invoiceshelf_uptime_seconds 7200.0
# TYPE fakturino_invoiceshelf_disk_usage_percent gauge
fakturino_invoiceshelf_disk_usage_percent 97.0
"""
REQUESTS, DURATION = "fakturino_http_requests_total", "fakturino_http_request_duration_ms"


def _families(text: str) -> dict[str, object]:
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for f in list(families.values()):
        if f.type == "counter":
            families.setdefault(f.name + "_total", f)
    return dict(families)


def test_http_counters_window_and_p95() -> None:
    current = trend.http_counters(_families(EXPOSITION), REQUESTS, "status_class", DURATION)
    assert current is not None and current["requests"] == 100 and current["errors"] == 10
    delta, window = trend.window(current, None, None)
    assert window == "since the app started, 2.0 h ago"
    with pytest.raises(CheckFailed, match=r"10\.0%"):
        checks.expect_error_ratio(delta["errors"], delta["requests"], 0.05, window)
    earlier = {
        "metric": REQUESTS,
        "requests": 60,
        "errors": 10,
        "uptime": 3600,
        "buckets_ms": {"100.0": 50, "500.0": 60, "inf": 60},
    }
    delta, window = trend.window(current, earlier, "2026-08-20 06:00 UTC")
    assert (delta["requests"], delta["errors"]) == (40, 0)
    assert window == "since the previous run at 2026-08-20 06:00 UTC"
    assert checks.expect_error_ratio(delta["errors"], delta["requests"], 0.05, window) == 0
    restarted = {**earlier, "requests": 500, "uptime": 90000}
    assert trend.window(current, restarted, "x")[1].startswith("since the app started")
    # A run that recorded another counter (the runbook's name, before) is no baseline.
    other = {**earlier, "metric": "http_requests_total"}
    assert trend.window(current, other, "x")[1].startswith("since the app started")
    assert trend.p95_ms(current["buckets_ms"]) == pytest.approx(400.0)
    assert trend.p95_ms({"+Inf": 0}) is None
    seconds = EXPOSITION.replace("_ms", "_seconds").replace('le="100.0"', 'le="0.1"')
    seconds = seconds.replace('le="500.0"', 'le="0.5"')
    in_seconds = trend.http_counters(
        _families(seconds), REQUESTS, "status_class", DURATION.replace("_ms", "_seconds"), "seconds"
    )
    assert in_seconds is not None and trend.p95_ms(in_seconds["buckets_ms"]) == pytest.approx(400)
    assert trend.http_counters(_families("# TYPE up gauge\nup 1\n"), REQUESTS, "s") is None
    assert checks.expect_gauge(_families(EXPOSITION), trend.DISK) == 97.0
    with pytest.raises(CheckFailed, match="registers it nowhere"):
        checks.expect_http_counters(None, REQUESTS)
    with pytest.raises(CheckFailed, match=r"absent; families: .*fakturino_invoiceshelf_disk"):
        checks.expect_gauge(_families(EXPOSITION), ("invoiceshelf_disk_usage_percent",))


def test_restore_comparisons() -> None:
    live = {"users": 100, "invoices": 1000, "settings": 40, "audit": None}
    assert drill.row_count_gaps(live, {"users": 98, "invoices": 990, "settings": 40}, 0.05) == {}
    gaps = drill.row_count_gaps(live, {"users": 80, "invoices": 1000}, 0.05)
    assert gaps == {"users": "live 100, restored 80", "settings": "live 40, restored missing"}
    with pytest.raises(CheckFailed, match="missing: \\['settings'\\]"):
        drill.expect_core_tables({"users": 1, "settings": None}, ["users", "settings"])
    with pytest.raises(CheckFailed, match="no invoice rows"):
        drill.expect_invoices_readable([], 4)
    with pytest.raises(CheckFailed, match="\\[7\\]"):
        drill.expect_invoices_readable(
            [{"id": 7, "invoice_number": "", "status": "SENT", "total": 1}], 1
        )
    with pytest.raises(CheckFailed, match="newest restored: 2026_05"):
        drill.expect_migration_restored(["2026_05_24_x"], "2026_08_18_y")
    with pytest.raises(CheckFailed, match="CRC"):
        drill.expect_restored("the dump is damaged: BadGzipFile: CRC check failed", "bucket")


def test_shell_runs_only_allowed_commands_with_a_timeout() -> None:
    artisan = ("php", "artisan")
    allowed = [
        shell.migrate_status(artisan),
        shell.backup_list(artisan),
        shell.queue_monitor(artisan, "database", ["default", "einvoice"], 100),
        shell.queue_work_once(artisan, "default"),
        shell.about_drivers(artisan),
        shell.disk_free(),
    ]
    assert all(shell.is_allowed(c.argv, artisan) for c in allowed)
    for argv in (("php", "artisan", "migrate"), ("rm", "-rf", "/"), ("php", "artisan", "tinker")):
        assert not shell.is_allowed(argv, artisan)
    with pytest.raises(ValueError, match="plain name"):
        shell.queue_monitor(artisan, "database", ["default;rm -rf /"], 100)
    client = shell.ShellClient(
        ["env"], artisan, 10.0, lambda text: text.replace("Filesystem", "«x»")
    )
    with pytest.raises(PermissionError):
        client.run(shell.Command("php artisan migrate", ("php", "artisan", "migrate")))
    result = client.run(shell.disk_free())  # `env df -h`: a prefix that runs the command here
    assert result.exit_code == 0 and parse_df(result.stdout)
    assert "«x»" in client.shown(result)
    slow = shell.ShellClient(["sh", "-c", "sleep 5", "sh"], artisan, 0.3)
    with pytest.raises(TimedOut, match=r"0\.3 s"):
        slow.run(shell.disk_free())
    with pytest.raises(shell.CommandUnavailable, match="check \\[shell\\] prefix"):
        shell.ShellClient(["/nonexistent/railway"], artisan, 1.0).run(shell.disk_free())


def test_shell_credentials_reach_the_prefix_and_are_masked_in_what_is_shown() -> None:
    token = "rw-canary-9d2c"
    client = shell.ShellClient(
        ["sh", "-c", 'echo "railway: token $RAILWAY_TOKEN rejected" >&2; exit 1', "sh"],
        ("php", "artisan"),
        10.0,
        Redactor([token]),
        {"RAILWAY_TOKEN": token},
    )
    result = client.run(shell.disk_free())
    assert token in result.stderr  # the prefix got its credential ...
    assert token not in client.shown(result)  # ... and nothing shown carries it


def test_history_previous_value_and_trend_chart() -> None:
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    runs = [
        {"at": (today - dt.timedelta(days=30)).isoformat(), "figures": {"disk_usage_percent": 50}},
        {"at": (today - dt.timedelta(days=2)).isoformat(), "figures": {"failed_jobs_24h": 3}},
        {
            "at": (today - dt.timedelta(days=1)).isoformat(),
            "figures": {"failed_jobs_24h": 5, "http_p95_ms": 80},
        },
    ]
    value, at = previous(runs, "failed_jobs_24h") or (None, None)
    assert value == 5 and at == today - dt.timedelta(days=1)
    assert previous(runs, "disk_usage_percent") is None  # a month old: no baseline
    assert previous(runs, "restore_drill_seconds") is None
    chart = trend_chart(runs)
    assert chart.count("<svg") == 3 and "failed jobs (last 24 h)</b>: latest 5" in chart


def _zip(tmp_path: Path, sql: bytes, damage: bool = False) -> Path:
    packed = gzip.compress(sql)
    if damage:
        middle = len(packed) // 2
        packed = (
            packed[:middle]
            + bytes(b ^ 0xFF for b in packed[middle : middle + 16])
            + packed[middle + 16 :]
        )
    archive = tmp_path / ("bad.zip" if damage else "dump.zip")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("db-dumps/postgresql-facturino.sql.gz", packed)
    return archive


def _encrypted(tmp_path: Path) -> Path:
    """A zip whose entry carries the "encrypted" flag (as spatie's AES archives do)."""
    archive = tmp_path / "encrypted.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("db-dumps/postgresql-facturino.sql.gz", b"\x00" * 64)
    raw = bytearray(archive.read_bytes())
    # zipfile cannot encrypt: set bit 0 of the flags in the local and the central header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        raw[raw.index(signature) + offset] |= 0x1
    archive.write_bytes(bytes(raw))
    return archive


def test_throwaway_postgres_restores_a_dump_and_is_removed(tmp_path: Path) -> None:
    sql = b"CREATE TABLE invoices (id int, invoice_number text);\n" + b"".join(
        b"INSERT INTO invoices VALUES (%d, 'INV-%d');\n" % (i, i) for i in range(2000)
    )
    with ThrowawayPostgres(find_pg_bin(None)) as server:
        root = server.root
        restore(server, _zip(tmp_path, sql), "db-dumps/postgresql-facturino.sql.gz", 60)
        with server.connect() as conn:
            assert conn.execute("SELECT count(*) FROM invoices").fetchone() == (2000,)
        with pytest.raises(RestoreFailed, match="damaged"):
            restore(
                server, _zip(tmp_path, sql, damage=True), "db-dumps/postgresql-facturino.sql.gz", 60
            )
        with pytest.raises(RestoreFailed, match="encrypted"):
            restore(server, _encrypted(tmp_path), "db-dumps/postgresql-facturino.sql.gz", 60)
        with pytest.raises(RestoreFailed, match="psql exited 3"):
            restore(
                server,
                _zip(tmp_path, b"CREATE TABLE x (;\n"),
                "db-dumps/postgresql-facturino.sql.gz",
                60,
            )
    assert not root.exists()


# What spatie's dumper (plain `pg_dump`, no --no-owner) writes for a table the app owns, with a
# read-only role granted SELECT; COPY data that merely looks like SQL must not count.
OWNED_DUMP = b"""SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.invoices (id integer, notes text);
ALTER TABLE public.invoices OWNER TO facturino;
CREATE SEQUENCE public.invoices_id_seq AS integer;
ALTER SEQUENCE public.invoices_id_seq OWNER TO facturino;
COPY public.invoices (id, notes) FROM stdin;
1\tALTER TABLE x OWNER TO not_a_role;
2\tGRANT ALL ON TABLE x TO nobody_either;
\\.
ALTER SCHEMA public OWNER TO pg_database_owner;
REVOKE ALL ON TABLE public.invoices FROM PUBLIC;
GRANT SELECT ON TABLE public.invoices TO verify_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE facturino IN SCHEMA public GRANT SELECT ON TABLES TO "Reader";
"""


def test_roles_a_dump_names_are_found_outside_copy_data() -> None:
    assert roles_in_dump(OWNED_DUMP.splitlines()) == {"facturino", "verify_ro", "Reader"}
    assert roles_in_statement(b'GRANT ALL ON SCHEMA public TO a, "B c" WITH GRANT OPTION;') == {
        "a",
        "B c",
    }
    assert roles_in_statement(b"REVOKE ALL ON TABLE t FROM PUBLIC;") == set()
    assert roles_in_statement(b"SET SESSION AUTHORIZATION 'owner';") == {"owner"}


def test_a_dump_with_owners_and_grants_restores_with_them(tmp_path: Path) -> None:
    """The roles are created first, so every statement runs: ownership and privileges too."""
    with ThrowawayPostgres(find_pg_bin(None)) as server:
        created = restore(
            server, _zip(tmp_path, OWNED_DUMP), "db-dumps/postgresql-facturino.sql.gz", 60
        )
        assert created == ["Reader", "facturino", "verify_ro"]
        with server.connect() as conn:
            owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'invoices'")
            assert owner.fetchone() == ("facturino",)
            granted = conn.execute(
                "SELECT has_table_privilege('verify_ro', 'public.invoices', 'SELECT')"
            )
            assert granted.fetchone() == (True,)
            assert conn.execute("SELECT count(*) FROM public.invoices").fetchone() == (2,)
