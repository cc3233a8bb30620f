"""Where spatie/laravel-backup archives live: a local or mounted folder, an S3-compatible bucket.

Both list ``<name>/*.zip`` with size and time and fetch one archive to a local file; driver
errors become :class:`TargetError` at this boundary.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..config.ops import Bucket
from .errors import AuthFailure, ConnectionRefused, ProtocolFailure, TargetError, TimedOut


@dataclass(frozen=True)
class BackupObject:
    """One archive as its location lists it."""

    key: str  # path inside the location, e.g. "Facturino/2026-08-21-12-00-01.zip"
    size: int
    modified: dt.datetime  # aware, UTC

    @property
    def filename(self) -> str:
        return self.key.rsplit("/", 1)[-1]


class BackupLocation(Protocol):
    what: str

    def list(self) -> list[BackupObject]: ...

    def fetch(self, item: BackupObject, target: Path) -> Path: ...


class FolderBackups:
    """``<folder>/<name>/*`` on a local or mounted file system (the `local` disk's root)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.what = f"backup folder {folder / name}"

    def list(self) -> list[BackupObject]:
        if not self.folder.is_dir():
            raise ConnectionRefused(
                self.what, f"{self.folder} does not exist", "is the volume mounted?"
            )
        directory = self.folder / self.name
        if not directory.is_dir():
            return []
        found = []
        for path in directory.iterdir():
            if path.is_file():
                stat = path.stat()
                modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
                found.append(BackupObject(f"{self.name}/{path.name}", stat.st_size, modified))
        return found

    def fetch(self, item: BackupObject, target: Path) -> Path:
        try:
            shutil.copyfile(self.folder / item.key, target)
        except OSError as error:
            raise ProtocolFailure(self.what, f"cannot read {item.key}: {error}") from None
        return target


class BucketBackups:
    """``s3://<bucket>/<name>/*`` through boto3 (R2 and MinIO need path-style addressing)."""

    def __init__(self, config: Bucket, name: str) -> None:
        self.config, self.name = config, name
        where = config.endpoint or "AWS S3"
        self.what = f"backup bucket {config.bucket} at {where}"

    def _client(self) -> Any:
        import boto3
        from botocore.config import Config

        c = self.config
        secret = c.secret_access_key.get_secret_value() if c.secret_access_key else None
        return boto3.client(
            "s3",
            endpoint_url=c.endpoint,
            region_name=c.region,
            aws_access_key_id=c.access_key_id,
            aws_secret_access_key=secret,
            config=Config(
                connect_timeout=c.connect_timeout,
                read_timeout=c.read_timeout,
                retries={"max_attempts": 1},
                s3={"addressing_style": "path"},
            ),
        )

    def list(self) -> list[BackupObject]:
        def act() -> list[BackupObject]:
            pages = self._client().get_paginator("list_objects_v2")
            found = []
            for page in pages.paginate(Bucket=self.config.bucket, Prefix=f"{self.name}/"):
                for entry in page.get("Contents", []):
                    modified = entry["LastModified"].astimezone(dt.UTC)
                    found.append(BackupObject(entry["Key"], int(entry["Size"]), modified))
            return found

        found: list[BackupObject] = self._mapped(act)
        return found

    def fetch(self, item: BackupObject, target: Path) -> Path:
        def act() -> Path:
            self._client().download_file(self.config.bucket, item.key, str(target))
            return target

        fetched: Path = self._mapped(act)
        return fetched

    def _mapped(self, action: Any) -> Any:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            ReadTimeoutError,
        )

        try:
            return action()
        except (ConnectTimeoutError, ReadTimeoutError) as error:
            raise TimedOut(self.what, str(error)) from None
        except EndpointConnectionError as error:
            raise ConnectionRefused(
                self.what, str(error), "check [backups.bucket] endpoint"
            ) from None
        except NoCredentialsError:
            raise AuthFailure(self.what, "no credentials", "set access_key_id") from None
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise AuthFailure(self.what, str(error), "check the bucket credentials") from None
            raise ProtocolFailure(self.what, str(error)) from None
        except BotoCoreError as error:
            raise ProtocolFailure(self.what, str(error)) from None


def location(kind: str, folder: Path | None, bucket: Bucket | None, name: str) -> BackupLocation:
    """The configured location of ``kind`` ("folder" or "bucket")."""
    if kind == "folder" and folder is not None:
        return FolderBackups(folder, name)
    if kind == "bucket" and bucket is not None:
        return BucketBackups(bucket, name)
    raise TargetError(f"backup {kind}", "not configured in the environment")
