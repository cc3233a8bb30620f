"""A real spatie/laravel-backup style archive: a gzipped pg_dump inside a dated zip."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import time
import zipfile
from pathlib import Path

from facturino_reference import mysqldump
from facturino_reference.errors import DeploymentError
from facturino_reference.mysqlconn import MySQLInfo
from facturino_reference.postgres import PG_BIN


def dump_database(port: int, password: str, extra: list[str] | None = None) -> bytes:
    """What spatie/db-dumper 3.8.0 (the version the app locks) runs for a PostgreSQL
    connection: `pg_dump -U user -h host -p port`, the database in PGDATABASE, and nothing
    else (PostgreSql::getDumpCommand adds no --no-owner, no --no-privileges). The dump therefore
    carries `ALTER TABLE … OWNER TO facturino;` lines: restoring it needs that role."""
    env = {
        **os.environ,
        "PGPASSWORD": password,
        "PGDATABASE": "facturino",
        "PGCONNECT_TIMEOUT": "5",
    }
    result = subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            *("-U", "facturino", "-h", "127.0.0.1", "-p", str(port)),
            *(extra or []),
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise DeploymentError(f"pg_dump failed: {result.stderr.decode(errors='replace')[:200]}")
    return result.stdout


def write_backup(backup_dir: Path, port: int, password: str) -> Path:
    """`backups/<APP_NAME>/<Y-m-d-H-i-s>.zip` with `db-dumps/postgresql-facturino.sql.gz`."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    name = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d-%H-%M-%S") + ".zip"
    target = backup_dir / name
    # Fast compression: the dump is tiny and `up` waits for this file.
    packed = gzip.compress(dump_database(port, password), compresslevel=1)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("db-dumps/postgresql-facturino.sql.gz", packed)
    return target


def age_backup(path: Path, days: float) -> None:
    """Make the archive look `days` old (what a dead scheduler leaves behind)."""
    stamp = time.time() - days * 86400
    os.utime(path, (stamp, stamp))


# --- `php artisan backup:run --only-db` with its failure modes (the ops faults) -------------

DUMP_ENTRY = "db-dumps/postgresql-facturino.sql.gz"
MYSQL_DUMP_ENTRY = "db-dumps/mysql-facturino.sql.gz"
VARIANTS = ("good", "empty", "corrupt", "partial")


def spatie_name(when: dt.datetime) -> str:
    """Spatie's archive name: the backup's start time on the app's clock (UTC here)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d-%H-%M-%S") + ".zip"


def _damaged(packed: bytes) -> bytes:
    """A gzip stream whose deflate data was overwritten in the middle (as a bad disk or an
    interrupted copy leaves it): the zip entry is intact, the dump inside does not inflate."""
    middle = len(packed) // 2
    return (
        packed[:middle]
        + bytes(b ^ 0xFF for b in packed[middle : middle + 64])
        + packed[middle + 64 :]
    )


def dump_for(variant: str, port: int, password: str, partial_args: list[str]) -> bytes | None:
    if variant == "empty":
        return None  # the dump step produced nothing; spatie still zipped the (empty) manifest
    extra = partial_args if variant == "partial" else []
    packed = gzip.compress(dump_database(port, password, extra), compresslevel=1)
    return _damaged(packed) if variant == "corrupt" else packed


def mysql_dump_for(variant: str, info: MySQLInfo) -> bytes | None:
    """`dump_for` on MySQL: the PHP dumper's output; `partial` leaves `settings` out and the
    data of invoices and of every table referencing them (as the PostgreSQL variant does)."""
    if variant == "empty":
        return None
    skip: tuple[str, ...] = ()
    skip_data: tuple[str, ...] = ()
    if variant == "partial":
        skip, skip_data = ("settings",), tuple(mysqldump.referencing(info, "invoices"))
    packed = gzip.compress(mysqldump.dump(info, skip, skip_data), compresslevel=1)
    return _damaged(packed) if variant == "corrupt" else packed


def dump_entry(db_connection: str) -> str:
    """spatie/db-dumper's name for the dump: `<engine>-<database>.sql.gz` in `db-dumps/`."""
    return MYSQL_DUMP_ENTRY if db_connection == "mysql" else DUMP_ENTRY


def write_archive(
    target: Path, packed: bytes | None, when: dt.datetime, entry: str = DUMP_ENTRY
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        if packed is not None:
            archive.writestr(entry, packed)
    stamp = when.timestamp()
    os.utime(target, (stamp, stamp))
    return target
