"""A local S3-compatible bucket for the backups (spatie's `r2backup` disk), served by moto's
standalone server on base+200, 127.0.0.1 only. Started when asked (`up --with-bucket` or
FACTURINO_REFERENCE_BUCKET=1): most deployments do not need it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from facturino_reference.errors import DeploymentError
from facturino_reference.paths import HomeLayout
from facturino_reference.procs import (
    Target,
    log_tail,
    pid_alive,
    spawn_detached,
    wait_for_ports,
)

OFFSET = 200
ASK_VAR = "FACTURINO_REFERENCE_BUCKET"
BUCKET = "facturino-backups"
REGION = "us-east-1"
# The bucket's throwaway credentials (moto accepts any); overridable like the other secrets.
KEY_ID = "reference-backup-key"


def wanted() -> bool:
    return os.environ.get(ASK_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def port_for(base: int) -> int:
    return base + OFFSET


def secret() -> str:
    return os.environ.get("FACTURINO_LOCAL_S3_SECRET", "reference-backup-secret")


def fingerprint(port: int) -> str:
    return f"moto.server -H 127.0.0.1 -p {port} "


def env_entries(port: int) -> dict[str, str]:
    """The app's R2 settings (config/filesystems.php `r2backup`): path-style, fixed region."""
    return {
        "R2_BACKUP_BUCKET": BUCKET,
        "R2_BACKUP_ENDPOINT": f"http://127.0.0.1:{port}",
        "R2_BACKUP_KEY": KEY_ID,
        "R2_BACKUP_SECRET": secret(),
        "R2_BACKUP_REGION": REGION,
    }


def start(layout: HomeLayout, port: int, pids: dict[str, int]) -> None:
    """Start moto's server (its state lives in memory) and create the bucket. The pid goes into
    `pids` at once, so an `up` that fails later still stops it."""
    log = layout.logs / "bucket.log"
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    pid = pids["bucket"] = spawn_detached(argv, log, cwd=layout.root)
    # moto imports Flask and all its backends first: seconds, over a minute on a loaded machine
    # (seen on a 2-core machine at load 10); a dead process still ends the wait at once.
    # Only "is it alive": the pid is our own fresh child, and a /proc cmdline read during
    # moto's long start-up was seen to miss the fingerprint and end the wait too early.
    if not wait_for_ports([port], 180.0, lambda: pid_alive(pid)):
        tail = log_tail(log)
        raise DeploymentError(
            f"the S3-compatible bucket did not start on port {port}: {tail or 'no output'}"
        )
    _retry(lambda: client(env_entries(port)).create_bucket(Bucket=BUCKET))


def stop_target(port: int, pid: int) -> Target:
    return Target(pid, fingerprint(port))


def client(env: Mapping[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env["R2_BACKUP_ENDPOINT"],
        region_name=env.get("R2_BACKUP_REGION", REGION),
        aws_access_key_id=env["R2_BACKUP_KEY"],
        aws_secret_access_key=env["R2_BACKUP_SECRET"],
        config=Config(
            connect_timeout=3,
            read_timeout=30,
            retries={"max_attempts": 1},
            s3={"addressing_style": "path"},
        ),
    )


def upload(env: Mapping[str, str], archive: Path, key: str) -> None:
    client(env).upload_file(str(archive), env["R2_BACKUP_BUCKET"], key)


def _retry(action: Any, timeout: float = 60.0) -> None:
    """The port opens a moment before moto serves requests (longer on a loaded machine)."""
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + timeout
    while True:
        try:
            action()
            return
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
