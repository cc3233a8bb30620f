"""A real spatie/laravel-backup style archive: a gzipped pg_dump inside a dated zip."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import time
import zipfile
from pathlib import Path

from facturino_reference.errors import DeploymentError
from facturino_reference.postgres import PG_BIN


def dump_database(port: int, password: str) -> bytes:
    env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"}
    result = subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "facturino",
            "-d",
            "facturino",
            "--no-owner",
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
