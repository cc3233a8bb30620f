"""Small clients, one driver each; driver errors become :class:`TargetError`. No pytest here."""

from __future__ import annotations

from .database import DatabaseClient, QueueSnapshot, database_client
from .errors import TargetError
from .http import HttpClient
from .redis import RedisClient
from .tls import CertificateInfo, fetch_certificate

__all__ = [
    "CertificateInfo",
    "DatabaseClient",
    "HttpClient",
    "QueueSnapshot",
    "RedisClient",
    "TargetError",
    "database_client",
    "fetch_certificate",
]
