"""The faults of the scheduled operations checks (daily/weekly), as plain data: `faults.py`
turns them into `Fault`s; `opsfaults.py` gives them their effects (archives, rows, a full disk).
`trips` are the smoke tests each one fails; tests/test_fault_matrix_ops.py proves what each
one fails in the daily and weekly suites.
"""

from __future__ import annotations

_HEALTH_503 = ("test_health_returns_200", "test_health_status_is_healthy")
# name, description, smoke tests it trips, .env overrides, default value (faults.py builds
# Fault objects; a fault with a default takes NAME=VALUE).
OPS_FAULT_SPECS: tuple[tuple[str, str, tuple[str, ...], dict[str, str], str | None], ...] = (
    (
        "backup_stale",
        "the scheduler died 30 h ago: the newest backup (folder and bucket) was taken then, and "
        "12 customers signed up since (the backup lags the live data); /health still passes "
        "(it tolerates 48 h)",
        (),
        {},
        None,
    ),
    (
        "backup_empty",
        "the dump step produced nothing: the newest archive is a zip without db-dumps/",
        (),
        {},
        None,
    ),
    (
        "backup_corrupt",
        "the newest archive's db-dumps/postgresql-facturino.sql.gz is damaged mid-stream "
        "(64 bytes overwritten): the zip and its size look fine, the dump does not restore",
        (),
        {},
        None,
    ),
    (
        "backup_partial",
        "the dumper's table list is wrong: `settings` is not dumped and invoices (with every "
        "row that references one) are dumped without data; the dump restores",
        (),
        {},
        None,
    ),
    (
        "no_backups",
        "no backup was ever written: the folder and the bucket are empty, backup:list prints "
        "'No backups found.' (/health's backup check passes when there is no zip at all)",
        (),
        {},
        None,
    ),
    (
        "disk_full",
        "storage/ is a 32 MiB volume (tmpfs; needs root) that a runaway storage/logs/"
        "laravel.log filled to 97 %: /health storage=false (under 10 % free), "
        "fakturino_invoiceshelf_disk_usage_percent 97, `df -h` 97 %",
        (*_HEALTH_503, "test_health_check_passes[storage]"),
        {},
        None,
    ),
    (
        "failed_jobs_growing",
        "40 jobs failed in the last 24 h (none in the last hour) against 5 in the 24 h before: "
        "below the 24 h threshold, but growing",
        (),
        {},
        None,
    ),
    (
        "queue_over_max",
        "the e-invoice API is down: 150 SubmitEInvoiceJob rows were released with a 1 h backoff "
        "and wait on `einvoice` (queue:monitor ALERT)",
        ("test_pending_jobs_below_threshold[*]",),
        {},
        None,
    ),
    (
        "redis_queue_over_max",
        "150 released SubmitEInvoiceJob payloads wait in the Redis queue "
        "(facturino_queues:einvoice:delayed), pushed by a producer on the redis connection "
        "while the app and its workers use the database queue",
        ("test_jobs_are_only_on_the_configured_queue_connection",),
        {},
        None,
    ),
    (
        "job_class_missing",
        "the queue worker died, and a job of a class this release no longer has "
        "(App\\Jobs\\SendInvoiceReminder) waits on `default`: `queue:work --once` FAILs on it",
        (),
        {},
        None,
    ),
)
