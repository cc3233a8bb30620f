"""Environment keys of the run's notifications (``[notify]``): who hears of a verdict other than
GO. The runbook's channels are the defaults: "Send alerts to: Email: ops@facturino.mk, Slack:
#facturino-alerts". Sending is not a write to the deployment, so it is allowed on production.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from .errors import did_you_mean
from .section import Section

VERDICTS = ("GO", "DEGRADED", "BLOCKED", "ROLLBACK", "INCONCLUSIVE")
RUNBOOK_EMAIL = "ops@facturino.mk"
RUNBOOK_SLACK_CHANNEL = "#facturino-alerts"
LOOPBACK = ("localhost", "127.0.0.1", "::1")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")


def _email_address(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


class Slack(Section):
    """A Slack incoming webhook (Block Kit message)."""

    webhook_url: SecretStr
    """The incoming webhook's URL (a secret: write it as ${VAR})."""
    channel: str = RUNBOOK_SLACK_CHANNEL
    """The channel named in the message (a webhook posts where it was created)."""

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("is not an http(s) URL with a scheme and host (URL not shown)")
        return value


class Email(Section):
    """An SMTP server the run's summary is mailed through (plain text, the HTML report
    attached)."""

    host: str
    """The SMTP server."""
    port: int = Field(587, gt=0, lt=65536)
    """The server's port (587 submission with STARTTLS, 465 with ssl)."""
    tls: Literal["starttls", "ssl", "none"] = "starttls"
    """How the connection is encrypted; none only for a server on this machine."""
    user: str | None = None
    """The SMTP user, if the server wants a login."""
    password: SecretStr | None = None
    """The SMTP user's password."""
    sender: str
    """The From address."""
    to: tuple[str, ...] = (RUNBOOK_EMAIL,)
    """The recipients (the runbook's ops address by default)."""
    attach_report: bool = True
    """Attach the run's report.html (when the run writes reports)."""

    _sender = field_validator("sender")(_email_address)

    @field_validator("to")
    @classmethod
    def _recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one recipient")
        return tuple(_email_address(address) for address in value)

    @field_validator("password")
    @classmethod
    def _encrypted(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # A password sent in clear over the network is a leak of its own.
        host, tls = info.data.get("host"), info.data.get("tls")
        if value is not None and tls == "none" and host not in LOOPBACK:
            raise ValueError(
                f"would cross the network unencrypted to {host} (tls = none): "
                "set tls = starttls or ssl"
            )
        return value

    @model_validator(mode="after")
    def _login(self) -> Email:
        if (self.user is None) != (self.password is None):
            raise ValueError("set both user and password, or neither")
        return self


class Notify(Section):
    """Who hears of the verdict: nothing is sent unless [notify.slack] or [notify.email]
    exists. A notification that fails is reported and never changes the verdict."""

    on: tuple[str, ...] = ("DEGRADED", "BLOCKED", "ROLLBACK", "INCONCLUSIVE")
    """Verdicts that send one (GO, DEGRADED, BLOCKED, ROLLBACK, INCONCLUSIVE); all but GO."""
    report_base_url: str | None = None
    """Where the run's reports are published; the message links report.html there."""
    timeout_seconds: float = Field(10.0, gt=0, le=60)
    """Seconds all notifications of a run may take together (they are sent at once)."""
    slack: Slack | None = None
    email: Email | None = None

    @field_validator("on")
    @classmethod
    def _verdicts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in VERDICTS:
                raise ValueError(
                    f"'{name}' is not a verdict. {did_you_mean(name, VERDICTS)}"
                    f"Known: {', '.join(VERDICTS)}"
                )
        return value

    @field_validator("report_base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL with a scheme and host")
        return value.rstrip("/")

    @property
    def channels(self) -> list[str]:
        """The configured channels, in sending order."""
        return [name for name in ("slack", "email") if getattr(self, name) is not None]

    @property
    def report_link(self) -> str | None:
        return f"{self.report_base_url}/report.html" if self.report_base_url else None
