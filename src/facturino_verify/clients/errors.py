"""The project's own errors for everything that can go wrong talking to a deployment.

Drivers raise their own exception zoo; clients translate at the boundary (the way httpx's
``map_httpcore_exceptions`` does) so checks and reports see one clear sentence.
"""

from __future__ import annotations


class TargetError(Exception):
    """The deployment (or a service of it) could not be talked to."""

    kind = "error"

    def __init__(self, what: str, detail: str, hint: str = "") -> None:
        self.what, self.detail, self.hint = what, detail, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.what}: {self.kind}: {self.detail}"
        return f"{text} ({self.hint})" if self.hint else text


class ConnectionRefused(TargetError):
    kind = "connection refused"


class DnsFailure(TargetError):
    kind = "DNS failure"


class TlsFailure(TargetError):
    kind = "TLS error"


class TimedOut(TargetError):
    kind = "timeout"


class ProtocolFailure(TargetError):
    kind = "protocol error"


class AuthFailure(TargetError):
    kind = "authentication failed"


class AnswerTooLarge(TargetError):
    """The answer's body went past the configured cap: a deployment sending megabytes where a
    page or JSON document belongs is broken (and must not exhaust the runner's memory)."""

    kind = "answer too large"
