"""Parsers of what the shell commands print, in the formats Laravel 12 and coreutils use.

- ``migrate:status``: Termwind two-column lines ``name ..... [3] Ran`` / ``name ..... Pending``
  (Laravel ≥ 9), and the older ``| Ran? | Migration | Batch |`` table (``Yes``/``No``).
- ``queue:monitor``: ``[database] default ..... [0] OK`` (or ``ALERT``), each followed by
  Pending/Delayed/Reserved/Oldest lines on Laravel ≥ 11.
- ``backup:list``: Facturino's own command (contract §15): "No backups found." or a Symfony
  table Filename | Size | Created, then "Total backup storage: …".
- ``queue:work --once``: ``2026-08-21 12:00:00 App\\Jobs\\X ..... 3.21ms DONE`` (or ``FAIL``).
- ``df -h``: ``Filesystem Size Used Avail Use% Mounted on``.
- ``about --only=drivers --json``: ``{"drivers": {"cache": "redis", "queue": "database", ...}}``
  (Illuminate\\Foundation\\Console\\AboutCommand; keys are the snake-cased labels).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Any migration name: Laravel runs every `*_*.php` file, and real releases have names outside
# the usual date_time_name pattern (Facturino at d5d901d7: `2025_07_24_core`,
# `2025_08_51_enable_ifrs_for_all_companies`, even a space in
# `2018_11_02_133825_create_ expense_categories_table`); a stricter pattern would skip their
# lines and miss them when they are Pending. The name runs up to the dot leader; the header's
# second column ("Batch / Status") never matches.
_MIGRATION_LINE = re.compile(
    r"^\s*(?P<name>[^\s|].*?)\s+\.*\s*"
    r"(?:\[(?P<batch>\d+)\]\s+)?(?P<status>Ran|Pending|Skipped)\s*$"
)
_MIGRATION_ROW = re.compile(
    r"^\|\s*(?P<ran>Yes|No|Y|N)\s*\|\s*(?P<name>\S+)\s*\|\s*(?P<batch>\d*)\s*\|\s*$"
)
_MONITOR_LINE = re.compile(
    r"^\s*\[(?P<connection>[^\]]+)\]\s+(?P<queue>\S+)\s+\.*\s*"
    r"\[(?P<size>\d+)\]\s+(?P<status>OK|ALERT)\s*$"
)
_WORK_LINE = re.compile(
    r"^\s*(?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s+(?P<job>\S+)"
    r".*?\s(?P<status>RUNNING|DONE|FAIL)\s*$"
)
_SIZE = re.compile(r"^(?P<n>[\d,]+(?:\.\d+)?)\s*(?P<unit>bytes|KB|MB|GB)$")
_UNITS = {"bytes": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
_DF_SIZE = re.compile(r"^(?P<n>\d+(?:[.,]\d+)?)(?P<unit>[KMGTPE]?)i?B?$")


def plain(text: str) -> str:
    """Without ANSI colour codes and carriage returns."""
    return ANSI.sub("", text).replace("\r", "")


@dataclass(frozen=True)
class MigrationState:
    name: str
    batch: int | None
    status: str  # Ran / Pending / Skipped


def parse_migrate_status(text: str) -> list[MigrationState]:
    found = []
    for line in plain(text).splitlines():
        if m := _MIGRATION_LINE.match(line):
            batch = int(m["batch"]) if m["batch"] else None
            found.append(MigrationState(m["name"], batch, m["status"]))
        elif m := _MIGRATION_ROW.match(line.strip()):
            ran = m["ran"] in ("Yes", "Y")
            batch = int(m["batch"]) if m["batch"] else None
            found.append(MigrationState(m["name"], batch, "Ran" if ran else "Pending"))
    return found


@dataclass(frozen=True)
class QueueSize:
    connection: str
    queue: str
    size: int
    status: str  # OK / ALERT


def parse_queue_monitor(text: str) -> list[QueueSize]:
    return [
        QueueSize(m["connection"], m["queue"], int(m["size"]), m["status"])
        for line in plain(text).splitlines()
        if (m := _MONITOR_LINE.match(line))
    ]


@dataclass(frozen=True)
class ListedBackup:
    filename: str
    size_bytes: int  # from the human-readable column: exact to 2 decimals of its unit
    created: dt.datetime  # naive, in the app's timezone


NO_BACKUPS = "No backups found."


def parse_backup_list(text: str) -> list[ListedBackup] | None:
    """The listed archives; [] for "No backups found."; None when the output is neither."""
    clean = plain(text)
    if NO_BACKUPS in clean:
        return []
    rows = []
    header_seen = False
    for line in clean.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.strip().startswith("|") or len(cells) != 3:
            continue
        if cells == ["Filename", "Size", "Created"]:
            header_seen = True
            continue
        try:
            created = dt.datetime.strptime(cells[2], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        rows.append(ListedBackup(cells[0], parse_human_size(cells[1]), created))
    return rows if header_seen else None


def parse_human_size(text: str) -> int:
    """``184.32 KB`` → bytes, as BackupList::formatBytes wrote it (1024-based)."""
    m = _SIZE.match(text.strip())
    if not m:
        return 0
    return int(float(m["n"].replace(",", "")) * _UNITS[m["unit"]])


@dataclass(frozen=True)
class WorkedJob:
    job: str
    status: str  # RUNNING / DONE / FAIL


def parse_queue_work(text: str) -> list[WorkedJob]:
    return [
        WorkedJob(m["job"], m["status"])
        for line in plain(text).splitlines()
        if (m := _WORK_LINE.match(line))
    ]


@dataclass(frozen=True)
class Filesystem:
    source: str
    size: str
    used: str
    avail: str
    use_percent: int | None  # None for "-" (pseudo file systems)
    mount: str

    @property
    def size_bytes(self) -> float:
        m = _DF_SIZE.match(self.size)
        if not m:
            return 0.0
        power = " KMGTPE".index(m["unit"] or " ")
        return float(m["n"].replace(",", ".")) * float(1024**power)


def parse_df(text: str) -> list[Filesystem] | None:
    """Rows of ``df -h``; None when there is no df header (not df output at all)."""
    lines = plain(text).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Filesystem")), None)
    if start is None:
        return None
    rows, pending = [], ""
    for line in lines[start + 1 :]:
        fields = (pending + " " + line).split() if pending else line.split()
        if len(fields) == 1:  # a long device name wraps onto its own line
            pending = fields[0]
            continue
        pending = ""
        if len(fields) < 6:
            continue
        source, size, used, avail, percent = fields[:5]
        mount = " ".join(fields[5:])
        use = int(percent.rstrip("%")) if percent.rstrip("%").isdigit() else None
        rows.append(Filesystem(source, size, used, avail, use, mount))
    return rows


def parse_about_drivers(stdout: str) -> dict[str, str]:
    """The ``drivers`` section of ``php artisan about --json`` (the first JSON line; a warning
    printed before it is skipped); {} when there is none."""
    for line in plain(stdout).splitlines():
        if not line.lstrip().startswith("{"):
            continue
        try:
            drivers = json.loads(line).get("drivers")
        except (ValueError, AttributeError):
            continue
        if isinstance(drivers, dict):
            return {str(k): str(v) for k, v in drivers.items() if isinstance(v, str)}
    return {}
