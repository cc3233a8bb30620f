"""The project's own errors for everything that can go wrong talking to a deployment.

Drivers raise their own exception zoo; clients translate at the boundary (the way httpx's
``map_httpcore_exceptions`` does) so checks and reports see one clear sentence.
"""

from __future__ import annotations

MASK = "«redacted»"


class TargetError(Exception):
    """The deployment (or a service of it) could not be talked to."""

    kind = "error"

    def __init__(self, what: str, detail: str, hint: str = "") -> None:
        self.what, self.detail, self.hint = what, detail, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.what}: {self.kind}: {self.detail}"
        return f"{text} ({self.hint})" if self.hint else text


class NotJudged(TargetError):
    """Something the suite needed for a check is missing for a reason of the suite's own (its
    sign-in was throttled, or refused so a check needing the session cannot ask): the check is
    *not judged*, never failed or passed."""

    kind = "not judged"


class NoSession(NotJudged):
    """A check needs a signed-in session and the suite's sign-in failed: the sign-in check
    fails and says why; this check is not judged."""

    kind = "no session"


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


class SchemaMismatch(TargetError):
    """The database answered, but a table or column the question needs is not there: the
    release's migrations and the database disagree (not an unreachable database)."""

    kind = "schema problem"


class AuthFailure(TargetError):
    kind = "authentication failed"


class AnswerTooLarge(TargetError):
    """The answer's body went past the configured cap: a deployment sending megabytes where a
    page or JSON document belongs is broken (and must not exhaust the runner's memory)."""

    kind = "answer too large"


def url_password(url: str) -> str:
    """The password part of ``scheme://user:password@host/...``, also when it holds characters
    that should have been percent-encoded (``/``, ``@``): between the first ``:`` of the user
    part and the *last* ``@`` (a host never contains one)."""
    rest = url.partition("://")[2]
    userinfo = rest.rpartition("@")[0]
    return userinfo.partition(":")[2]


def without_fragments(text: str, *secrets: str, shortest: int = 3) -> str:
    """``text`` with every run of ``shortest`` or more characters that is part of a secret
    masked: a driver that failed to *parse* a URL echoes pieces of it (``Port could not be cast
    to integer value as 'pa'``, ``failed to resolve host 'ss-word@h'``), which the report's
    whole-secret masking would not recognise."""
    secrets = tuple(s for s in secrets if s)
    if not secrets:
        return text
    out, i = [], 0
    while i < len(text):
        longest = 0
        for secret in secrets:
            length = shortest
            while i + length <= len(text) and text[i : i + length] in secret:
                longest = max(longest, length)
                length += 1
        if longest:
            out.append(MASK)
            i += longest
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
