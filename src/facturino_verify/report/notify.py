"""Send a run's notification to the runbook's channels (Slack incoming webhook, SMTP e-mail).

Pytest-free, like pushgateway.py. Each channel is sent on a daemon thread and the whole send is
bounded by ``[notify] timeout_seconds``: a receiver that hangs or refuses becomes a failed
outcome with its reason, never an exception, never a longer run and never another verdict."""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import httpx

from ..config.notify import Email, Slack
from ..redact import Redactor
from .message import Message, email, slack_payload

Outcome = Literal["sent", "failed", "skipped"]
RESPONSE_EXCERPT = 120


@dataclass(frozen=True)
class Sent:
    """What became of one channel's notification (summary.json's ``notifications``)."""

    channel: str
    outcome: Outcome
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "outcome": self.outcome, "detail": self.detail}


def post_slack(slack: Slack, payload: dict[str, object], timeout: float) -> str:
    """Post the payload; the webhook answers 200 "ok". Returns what was done."""
    body = json.dumps(payload).encode()
    response = httpx.post(
        slack.webhook_url.get_secret_value(),
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=httpx.Timeout(timeout),
    )
    if response.status_code != 200:
        # Slack names the problem in the body (invalid_payload, no_service, channel_not_found).
        excerpt = response.text[:RESPONSE_EXCERPT].strip()
        raise NotSent(f"the webhook answered HTTP {response.status_code} {excerpt}".strip())
    return f"posted to {slack.channel}"


def send_mail(server: Email, mail: EmailMessage, timeout: float) -> str:
    """Deliver through the SMTP server with the configured encryption and login."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.tls == "ssl":
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    with smtp:
        if server.tls == "starttls":
            smtp.starttls(context=context)
        if server.user is not None and server.password is not None:
            smtp.login(server.user, server.password.get_secret_value())
        refused = smtp.send_message(mail)
    if refused:
        raise NotSent(f"the server refused {', '.join(sorted(refused))}")
    return f"mailed to {', '.join(server.to)}"


class NotSent(Exception):
    """The receiver answered, but did not take the notification."""


def notify(
    message: Message,
    slack: Slack | None,
    server: Email | None,
    timeout: float,
    redact: Redactor,
    report: str | None = None,
) -> list[Sent]:
    """Send to every configured channel at once; one outcome per channel, within ``timeout``.
    Each message is composed on its channel's thread too: composing is bounded as well."""
    jobs: dict[str, Callable[[], str]] = {}
    if slack is not None:
        jobs["slack"] = lambda: post_slack(
            slack, slack_payload(message, slack.channel, redact), timeout
        )
    if server is not None:
        jobs["email"] = lambda: send_mail(
            server, email(message, server.sender, server.to, redact, report), timeout
        )
    return bounded(jobs, timeout, redact)


def bounded(jobs: dict[str, Callable[[], str]], timeout: float, redact: Redactor) -> list[Sent]:
    """Run each job on a daemon thread; a job still running at the deadline is left behind
    (the process may end without it) and reported as timed out."""
    outcomes: dict[str, Sent] = {}

    def run(channel: str, job: Callable[[], str]) -> None:
        try:
            outcomes[channel] = Sent(channel, "sent", redact(job()))
        # Any failure of a receiver (refused, TLS, a bad answer, a bug) is only reported.
        except Exception as error:
            outcomes[channel] = Sent(channel, "failed", redact(reason(error)))

    threads = [
        threading.Thread(target=run, args=item, name=f"notify-{item[0]}", daemon=True)
        for item in jobs.items()
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = f"no answer within {timeout:g} s"
    return [outcomes.get(channel, Sent(channel, "failed", late)) for channel in jobs]


def reason(error: Exception) -> str:
    """A receiver's failure in one line (redacted by the caller: the webhook URL is a secret)."""
    if isinstance(error, NotSent):
        return str(error)
    if isinstance(error, httpx.TimeoutException):
        return "the webhook did not answer in time"
    if isinstance(error, httpx.HTTPError):
        # Transport errors say what happened ("[Errno 111] Connection refused"), not the URL.
        return f"the webhook could not be reached ({type(error).__name__}: {error})"[:200]
    if isinstance(error, smtplib.SMTPResponseException):
        raw = error.smtp_error
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        return f"the SMTP server answered {error.smtp_code} {text}"[:200]
    if isinstance(error, TimeoutError):
        return "the SMTP server did not answer in time"
    return f"{type(error).__name__}: {error}"[:200]


def notification_lines(sent: list[Sent]) -> list[str]:
    """One line per channel: a failure is a warning about the notification, not the release."""
    shown = {
        "sent": "notified by {channel}: {detail}",
        "skipped": "not notified by {channel}: {detail}",
        "failed": "WARNING: notification by {channel} failed: {detail} (verdict unchanged)",
    }
    return [shown[s.outcome].format(channel=s.channel, detail=s.detail) for s in sent]
