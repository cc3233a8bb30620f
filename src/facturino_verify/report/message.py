"""What a notification says: the verdict, why, the failed checks and the runbook's scenario, as
a Slack Block Kit payload and as a plain-text e-mail. Every string is redacted as it is put in,
and the finished payload once more, so no secret reaches a channel in any encoding."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from ..config import Environment
from ..redact import Redactor
from ..verdict import TITLES, CheckResult, RollbackValues, Verdict, rollback_values, steps
from ..verdict.catalog import SEVERITIES
from ..verdict.rootcause import RootCause

FAILED = ("failed", "error")
SHOWN_FAILURES = 10  # Slack refuses a section over 3000 characters; the rest is in the report
EXCERPT = 200  # characters of a failure's first line in a message


@dataclass(frozen=True)
class Failure:
    name: str
    severity: str
    message: str


@dataclass(frozen=True)
class Message:
    """One run's notification, already redacted."""

    verdict: str
    exit_code: int
    environment: str
    target: str
    reason: str
    # "title (check): remedy" of each failure that explains others: what to look at first.
    root_causes: tuple[str, ...]
    failures: tuple[Failure, ...]
    scenario: str | None  # the runbook's scenario title
    steps: tuple[str, ...]
    report_link: str | None

    @property
    def title(self) -> str:
        return f"Facturino verification: {self.verdict} on {self.environment}"


def build(
    verdict: Verdict,
    results: list[CheckResult],
    env: Environment,
    redact: Redactor,
    causes: list[RootCause] | None = None,
    rollback: RollbackValues | None = None,
) -> Message:
    """The message for this verdict: failed checks gravest first, each its first line; the
    runbook's steps with ``rollback`` (default: the environment's own values)."""
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    failed = sorted(
        (r for r in results if r.outcome in FAILED), key=lambda r: (rank[r.severity], r.name)
    )
    scenario = verdict.scenario
    return Message(
        verdict=verdict.name,
        exit_code=verdict.exit_code,
        environment=env.name,
        target=redact(env.target.url),
        reason=redact(verdict.reason),
        root_causes=tuple(
            redact(f"{c.title} ({c.check}): {c.remedy}" if c.remedy else f"{c.title} ({c.check})")
            for c in causes or []
        ),
        failures=tuple(Failure(r.name, r.severity, _what_failed(r, redact)) for r in failed),
        scenario=TITLES[scenario] if scenario else None,
        steps=tuple(redact(s) for s in steps(scenario, rollback or rollback_values(env)))
        if scenario
        else (),
        report_link=env.notify.report_link,
    )


def _what_failed(result: CheckResult, redact: Redactor) -> str:
    """The check's claim and what was seen instead (redacted before it is cut)."""
    text = f"{result.message} (seen: {result.seen})" if result.seen else result.message
    return redact(text)[:EXCERPT].strip()


def plain_text(message: Message) -> str:
    """The e-mail body (and what a reader of any channel needs to act)."""
    lines = [
        message.title,
        "",
        f"Verdict:     {message.verdict} (exit {message.exit_code})",
        f"Reason:      {message.reason}",
        f"Environment: {message.environment}",
        f"Target:      {message.target}",
        "",
        *(f"ROOT CAUSE: {cause}" for cause in message.root_causes),
        f"Failed checks ({len(message.failures)}):" if message.failures else "No failed checks.",
        *(f"  - {f.name} [{f.severity}]: {f.message}" for f in message.failures),
    ]
    if message.scenario:
        lines += ["", f"Runbook {message.scenario}:", *(f"  {s}" for s in message.steps)]
    if message.report_link:
        lines += ["", f"Report: {message.report_link}"]
    return "\n".join(lines) + "\n"


def _mrkdwn(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _failures_block(message: Message) -> dict[str, Any]:
    shown = [
        f"• `{f.name}` ({f.severity}): {_mrkdwn(f.message)}"
        for f in message.failures[:SHOWN_FAILURES]
    ]
    more = len(message.failures) - SHOWN_FAILURES
    if more > 0:
        shown.append(f"… and {more} more (see the report)")
    text = f"*Failed checks ({len(message.failures)})*\n" + "\n".join(shown)
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def slack_payload(message: Message, channel: str, redact: Redactor) -> dict[str, Any]:
    """An incoming webhook's Block Kit message; ``text`` is the notification's fallback."""
    fields = [
        f"*Verdict*\n{message.verdict} (exit {message.exit_code})",
        f"*Environment*\n{_mrkdwn(message.environment)}",
        f"*Target*\n{_mrkdwn(message.target)}",
        f"*Channel*\n{_mrkdwn(channel)}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _mrkdwn(message.reason)[:3000]},
            "fields": [{"type": "mrkdwn", "text": text} for text in fields],
        },
    ]
    if message.root_causes:
        causes = "\n".join(f"• {_mrkdwn(cause)}" for cause in message.root_causes)
        text = f"*Root cause*\n{causes}"[:3000]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if message.failures:
        blocks.append(_failures_block(message))
    if message.scenario:
        runbook = f"*Runbook {_mrkdwn(message.scenario)}*\n" + "\n".join(
            f"`{_mrkdwn(step)}`" for step in message.steps
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": runbook[:3000]}})
    if message.report_link:
        link = f"<{message.report_link}|report.html>"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
    payload: dict[str, Any] = {"text": f"{message.title}: {message.reason}", "blocks": blocks}
    return {key: redacted_tree(value, redact) for key, value in payload.items()}


def redacted_tree(value: Any, redact: Redactor) -> Any:
    """Every string of a JSON-shaped value redacted (the payload is serialised afterwards, so
    a mask never lands inside an escape sequence)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redacted_tree(item, redact) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted_tree(item, redact) for item in value]
    return value


def email(
    message: Message, sender: str, to: tuple[str, ...], redact: Redactor, report: str | None
) -> EmailMessage:
    """Plain text with the HTML report attached (itself redacted when it was written)."""
    mail = EmailMessage()
    mail["Subject"] = redact(f"[{message.verdict}] {message.title}")
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail.set_content(redact(plain_text(message)))
    if report is not None:
        # Redacted as it was written; here its known secrets once more, not the patterns.
        mail.add_attachment(
            redact.known(report), subtype="html", filename="report.html", disposition="attachment"
        )
    return mail
