"""Small clients, one driver each; driver errors become :class:`TargetError`. No pytest here."""

from __future__ import annotations

from .errors import TargetError
from .http import HttpClient
from .postgres import PostgresClient, QueueSnapshot
from .redis import RedisClient
from .tls import CertificateInfo, fetch_certificate

__all__ = [
    "CertificateInfo",
    "HttpClient",
    "PostgresClient",
    "QueueSnapshot",
    "RedisClient",
    "TargetError",
    "fetch_certificate",
]
