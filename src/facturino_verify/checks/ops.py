"""Checks of the daily and weekly operations run: backups, queues, error trend, disk, shell
command output. Pure: listings, figures and parsed output in, ``CheckFailed`` out."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from . import remedies
from .artisan import Filesystem, ListedBackup, MigrationState, QueueSize, WorkedJob
from .base import fail, shorten
from .metrics import NO_REQUEST_COUNTER

SPATIE_NAME = re.compile(r"(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})\.zip$")
DUMP_ENTRY = re.compile(r"^db-dumps/[^/]+\.sql(\.gz)?$")


@dataclass(frozen=True)
class Backup:
    """An archive as any location shows it, with the time it was taken."""

    filename: str
    size_bytes: int
    taken_at: dt.datetime  # aware
    where: str


def taken_at(filename: str, listed: dt.datetime, timezone: str) -> dt.datetime:
    """Spatie names an archive by the backup's start time (the app's clock): that is when the
    data was taken, even if the file was copied or uploaded later. The listing's time (mtime,
    LastModified, backup:list's Created) when the name is not spatie's."""
    m = SPATIE_NAME.search(filename)
    if m:
        naive = dt.datetime.strptime(m["stamp"], "%Y-%m-%d-%H-%M-%S")
        return naive.replace(tzinfo=ZoneInfo(timezone))
    return listed if listed.tzinfo else listed.replace(tzinfo=ZoneInfo(timezone))


def newest_backup(backups: Iterable[Backup], where: str) -> Backup:
    """The newest ``.zip``; a failure when the location holds none."""
    __tracebackhide__ = True
    zips = [b for b in backups if b.filename.endswith(".zip")]
    if not zips:
        fail(f"{where} holds a backup", "at least one <name>/*.zip", "none", remedies.BACKUP)
    return max(zips, key=lambda b: b.taken_at)


def from_listing(rows: Sequence[ListedBackup] | None, timezone: str, output: str) -> list[Backup]:
    __tracebackhide__ = True
    if rows is None:
        fail(
            "`php artisan backup:list` prints its table or 'No backups found.'",
            "Filename | Size | Created table",
            shorten(output, 300),
            remedies.SHELL,
        )
    return [
        Backup(r.filename, r.size_bytes, taken_at(r.filename, r.created, timezone), "backup:list")
        for r in rows
    ]


def expect_recent(backup: Backup, max_age_hours: float, now: dt.datetime) -> float:
    """The backup's age in hours; a failure when it is older than allowed."""
    __tracebackhide__ = True
    age = (now - backup.taken_at).total_seconds() / 3600
    if age > max_age_hours:
        fail(
            f"the newest backup in {backup.where} is younger than {max_age_hours:g} h",
            f"≤ {max_age_hours:g} h (one every 6 h)",
            f"{backup.filename}, {age:.1f} h old",
            remedies.BACKUP,
        )
    return age


def expect_large_enough(backup: Backup, min_bytes: int) -> None:
    __tracebackhide__ = True
    if backup.size_bytes < min_bytes:
        fail(
            f"the newest backup in {backup.where} is larger than {min_bytes} bytes",
            f"≥ {min_bytes} bytes",
            f"{backup.filename}: {backup.size_bytes} bytes",
            remedies.BACKUP_CONTENT,
        )


def dump_entry(archive: Path, where: str) -> str:
    """The archive's ``db-dumps/*.sql[.gz]`` entry; a failure when it has none or is no zip."""
    __tracebackhide__ = True
    try:
        with zipfile.ZipFile(archive) as zipped:
            entries = [(i.filename, i.file_size) for i in zipped.infolist()]
    except (zipfile.BadZipFile, OSError) as error:
        fail(
            f"the newest backup in {where} is a zip", "a readable zip", str(error), remedies.RESTORE
        )
    dumps = [(name, size) for name, size in entries if DUMP_ENTRY.match(name)]
    if not dumps or not any(size > 0 for _, size in dumps):
        fail(
            f"the newest backup in {where} contains a database dump",
            "a non-empty db-dumps/*.sql or *.sql.gz entry",
            f"entries: {[name for name, _ in entries] or 'none'}",
            remedies.BACKUP_CONTENT,
        )
    return max(dumps, key=lambda d: d[1])[0]


def expect_no_pending_migration(states: Sequence[MigrationState], output: str) -> None:
    __tracebackhide__ = True
    if not states:
        fail(
            "`php artisan migrate:status` lists the migrations",
            "one line per migration",
            shorten(output, 300),
            remedies.SHELL,
        )
    pending = [s.name for s in states if s.status == "Pending"]
    if pending:
        fail(
            "`php artisan migrate:status` shows no pending migration",
            "every migration Ran",
            f"{len(pending)} Pending: {', '.join(pending[:5])}",
            remedies.MIGRATIONS,
        )


def expect_migration_ran(states: Sequence[MigrationState], newest: str) -> None:
    __tracebackhide__ = True
    status = {s.name: s.status for s in states}
    if status.get(newest) != "Ran":
        fail(
            "`php artisan migrate:status` shows the release's newest migration as Ran",
            f"{newest} Ran",
            f"{newest}: {status.get(newest, 'not listed')}",
            remedies.MIGRATIONS,
        )


def expect_monitor_ok(sizes: Sequence[QueueSize], queues: Sequence[str], output: str) -> None:
    __tracebackhide__ = True
    listed = {s.queue: s for s in sizes}
    missing = [q for q in queues if q not in listed]
    if missing:
        fail(
            "`php artisan queue:monitor` reports every queue",
            list(queues),
            f"missing {missing}; output: {shorten(output, 200)}",
            remedies.SHELL,
        )
    alerts = {s.queue: s.size for s in sizes if s.status != "OK"}
    if alerts:
        fail(
            "`php artisan queue:monitor` reports every queue OK (below --max)",
            "OK for every queue",
            f"ALERT: {alerts}",
            remedies.QUEUE_BACKLOG,
        )


def expect_worked_once(exit_code: int, jobs: Sequence[WorkedJob], output: str) -> None:
    __tracebackhide__ = True
    failed = [j.job for j in jobs if j.status == "FAIL"]
    if exit_code != 0 or failed:
        fail(
            "`php artisan queue:work --once` processes a job without error",
            "exit 0, no FAIL line",
            f"exit {exit_code}, failed {failed}: {shorten(output, 200)}",
            remedies.QUEUE,
        )


def expect_depths(depth: Mapping[str, int], limits: Mapping[str, int], source: str) -> None:
    __tracebackhide__ = True
    over = {q: n for q, n in depth.items() if q in limits and n >= limits[q]}
    if over:
        fail(
            f"every queue holds fewer jobs than its maximum ({source})",
            {q: f"< {limits[q]}" for q in over},
            over,
            remedies.QUEUE_BACKLOG,
        )


def expect_oldest_ages(ages: Mapping[str, int | None], maximum: int, source: str) -> None:
    __tracebackhide__ = True
    old = {q: f"{a} s" for q, a in ages.items() if a is not None and a > maximum}
    if old:
        fail(
            f"no queue's oldest due job waits longer than {maximum} s ({source})",
            f"≤ {maximum} s",
            old,
            remedies.QUEUE_BACKLOG,
        )


def expect_failed_below(count: int, maximum: int, by_queue: Mapping[str, int]) -> None:
    __tracebackhide__ = True
    if count >= maximum:
        fail(
            f"fewer than {maximum} jobs failed in the last 24 h",
            f"< {maximum}",
            f"{count} {dict(by_queue)}",
            remedies.FAILED_JOBS,
        )


@dataclass(frozen=True)
class Baseline:
    value: int
    what: str  # "the run of 2026-08-20 06:00 UTC" / "the 24 h before"


def expect_not_growing(current: int, baseline: Baseline, allowed_growth: int) -> None:
    __tracebackhide__ = True
    if current > baseline.value + allowed_growth:
        fail(
            "failed jobs per 24 h are not growing",
            f"≤ {baseline.value} + {allowed_growth} ({baseline.what})",
            f"{current} in the last 24 h (+{current - baseline.value})",
            remedies.FAILED_JOBS,
        )


def expect_error_ratio(errors: float, total: float, maximum: float, window: str) -> float:
    __tracebackhide__ = True
    ratio = errors / total if total else 0.0
    if ratio > maximum:
        fail(
            f"5xx responses are at most {maximum:.0%} of requests ({window})",
            f"≤ {maximum:.1%}",
            f"{ratio:.1%} ({errors:g} of {total:g})",
            remedies.ERROR_RATE,
        )
    return ratio


def expect_ratio_below(ratio: float, maximum: float, window: str) -> None:
    __tracebackhide__ = True
    if ratio > maximum:
        fail(
            f"5xx responses are at most {maximum:.0%} of requests ({window})",
            f"≤ {maximum:.1%}",
            f"{ratio:.1%}",
            remedies.ERROR_RATE,
        )


def expect_disk_below(percent: float, maximum: float, where: str) -> None:
    __tracebackhide__ = True
    if percent >= maximum:
        fail(
            f"disk usage is below {maximum:g} % ({where})",
            f"< {maximum:g} %",
            f"{percent:g} %",
            remedies.DISK,
        )


def storage_filesystems(
    rows: Sequence[Filesystem] | None, ignored: Sequence[str], output: str
) -> list[Filesystem]:
    """The rows of ``df -h`` that are storage: not kernel plumbing, not empty."""
    __tracebackhide__ = True
    if rows is None:
        fail(
            "`df -h` prints its table", "a Filesystem header", shorten(output, 200), remedies.SHELL
        )

    def plumbing(mount: str) -> bool:
        return any(mount == i or mount.startswith(i.rstrip("/") + "/") for i in ignored)

    return [
        r for r in rows if r.use_percent is not None and r.size_bytes > 0 and not plumbing(r.mount)
    ]


def expect_df_below(rows: Sequence[Filesystem], maximum: float) -> None:
    __tracebackhide__ = True
    if not rows:
        fail("`df -h` lists a storage file system", "at least one row", "none", remedies.SHELL)
    full = {
        r.mount: f"{r.use_percent} % of {r.size}" for r in rows if (r.use_percent or 0) >= maximum
    }
    if full:
        fail(
            f"every file system is below {maximum:g} % (`df -h`)",
            f"< {maximum:g} %",
            full,
            remedies.DISK,
        )


def expect_http_counters(counters: Mapping[str, object] | None, metric: str) -> None:
    __tracebackhide__ = True
    if counters is None:
        fail(
            f"/metrics counts requests by status ({metric})",
            f"a {metric} counter with a status label ([monitoring] requests_metric)",
            f"no such counter: the 5xx share cannot be measured ({NO_REQUEST_COUNTER})",
            remedies.METRICS,
        )


def expect_gauge(families: Mapping[str, object], names: Sequence[str]) -> float:
    __tracebackhide__ = True
    for name in names:
        family = families.get(name)
        samples = list(getattr(family, "samples", []))
        if samples:
            return float(samples[0].value)
    fail(
        "/metrics exposes the gauge",
        " or ".join(names),
        f"absent; families: {shorten(', '.join(sorted(families)), 300)}",
        remedies.METRICS,
    )


def expect_drivers(
    seen: Mapping[str, str], expected: Mapping[str, tuple[str, str]], output: str
) -> None:
    """``php artisan about --only=drivers`` names the stores the environment says the app
    uses. ``expected``: driver ("cache", "queue", "session") → (value, the key that says so)."""
    __tracebackhide__ = True
    if not seen:
        fail(
            "`php artisan about --only=drivers --json` shows the app's drivers",
            '{"drivers": {...}}',
            shorten(output, 200) or "(no output)",
            remedies.SHELL,
        )
    wrong = {
        name: f"app: {seen.get(name, '(none)')}, environment: {value} ({said_by})"
        for name, (value, said_by) in expected.items()
        if seen.get(name) != value
    }
    if wrong:
        fail(
            "the app uses the cache store, session driver and queue connection the "
            "environment says (the queue checks read where the environment says)",
            {name: value for name, (value, _) in expected.items()},
            wrong,
            remedies.QUEUE_CONNECTION,
        )
