"""Notifications without a deployment: the message (Block Kit, plain text), its redaction, and
sending to local receivers on loopback, including receivers that hang, refuse or answer an
error, which must end as a failed outcome within the timeout, never as an exception."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import time
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import pytest

from facturino_verify.config import Environment
from facturino_verify.config.notify import RUNBOOK_EMAIL, Email, Notify, Slack
from facturino_verify.redact import Redactor
from facturino_verify.report.message import SHOWN_FAILURES, build, plain_text, slack_payload
from facturino_verify.report.notify import notify
from facturino_verify.verdict import CheckResult, decide
from facturino_verify.verdict.rootcause import RootCause

from .notify_receivers import LOOPBACK, free_port, silent_server, smtp_server, webhook
from .secret_scan import scan

DB_SECRET = "canary-notify-db-5q8w2e"
HOOK_SECRET = "canary-hook-7r4t1y"
SMTP_SECRET = "canary-smtp-3u6i9o"


def environment(notify_section: dict[str, Any] | None = None) -> Environment:
    return Environment.model_validate(
        {
            "environment": {"name": "prod"},
            "target": {"url": "https://app.facturino.example"},
            "notify": notify_section or {},
        }
    )


def rollback_results() -> list[CheckResult]:
    """A debug-mode release whose failure shows the database password in three encodings."""
    leak = f"seen DB_PASSWORD {DB_SECRET} url {quote(DB_SECRET)} b64 {_b64(DB_SECRET)}"
    return [
        CheckResult("s::test_up", "test_up_returns_200", "critical", "bad_deployment", "passed"),
        CheckResult(
            "s::test_debug",
            "test_app_debug_is_off",
            "critical",
            "bad_deployment",
            "failed",
            message="APP_DEBUG is off",
            seen=f"APP_DEBUG is on: {leak}",
        ),
        CheckResult(
            "s::test_hsts", "test_hsts_matches_app_env", "major", "bad_deployment", "failed",
            message="HSTS <missing> & wrong",
        ),
    ]  # fmt: skip


def _b64(text: str) -> str:
    return base64.b64encode(f"user:{text}".encode()).decode()


@pytest.fixture
def redact() -> Redactor:
    return Redactor([DB_SECRET, HOOK_SECRET, SMTP_SECRET])


def test_defaults_follow_the_runbook() -> None:
    settings = Notify()
    assert "GO" not in settings.on and set(settings.on) == {
        "DEGRADED",
        "BLOCKED",
        "ROLLBACK",
        "INCONCLUSIVE",
    }
    assert settings.channels == []  # nothing is sent until a channel is configured
    mail = Email(host="smtp.example", sender="verify@facturino.example")
    assert mail.to == (RUNBOOK_EMAIL,) and mail.tls == "starttls"
    hook = Slack.model_validate({"webhook_url": "https://hooks.slack.com/services/x"})
    assert hook.channel == "#facturino-alerts"


def test_the_message_lists_failed_checks_gravest_first_and_redacted(redact: Redactor) -> None:
    results = rollback_results()
    env = environment({"report_base_url": "https://ci.example/runs/42/"})
    message = build(decide(results), results, env, redact)
    assert (message.verdict, message.exit_code) == ("ROLLBACK", 12)
    assert [f.name for f in message.failures] == [
        "test_app_debug_is_off",
        "test_hsts_matches_app_env",
    ]
    assert message.scenario and "Scenario 1" in message.scenario
    assert any("railway rollback" in step for step in message.steps)
    assert message.report_link == "https://ci.example/runs/42/report.html"
    text = plain_text(message)
    assert "ROLLBACK (exit 12)" in text
    assert "test_app_debug_is_off [critical]: APP_DEBUG is off (seen: APP_DEBUG is on: " in text
    assert "Report: https://ci.example/runs/42/report.html" in text
    assert scan([("text", text.encode())], [DB_SECRET]).leaks == {}


def test_the_slack_message_is_block_kit_with_verdict_failures_and_link(redact: Redactor) -> None:
    results = rollback_results()
    env = environment({"report_base_url": "https://ci.example/runs/42"})
    payload = slack_payload(build(decide(results), results, env, redact), "#alerts", redact)
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Facturino verification: ROLLBACK on prod"},
    }
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Verdict*\nROLLBACK (exit 12)" in fields and "*Channel*\n#alerts" in fields
    failures = blocks[2]["text"]["text"]
    assert "`test_app_debug_is_off` (critical)" in failures
    assert "HSTS &lt;missing&gt; &amp; wrong" in failures  # mrkdwn's control characters
    assert (
        blocks[-1]["elements"][0]["text"] == "<https://ci.example/runs/42/report.html|report.html>"
    )
    assert payload["text"].startswith("Facturino verification: ROLLBACK on prod: 1 critical")
    assert scan([("payload", json.dumps(payload).encode())], [DB_SECRET]).leaks == {}


def test_a_long_list_of_failures_stays_within_slacks_limits(redact: Redactor) -> None:
    long = "x" * 900
    results = [
        CheckResult(
            f"s::{i}", f"test_{i:02d}", "critical", "bad_deployment", "failed", message=long
        )
        for i in range(SHOWN_FAILURES + 5)
    ]
    payload = slack_payload(build(decide(results), results, environment(), redact), "#a", redact)
    failures = payload["blocks"][2]["text"]["text"]
    assert len(failures) <= 3000 and "and 5 more (see the report)" in failures
    assert len(payload["blocks"][0]["text"]["text"]) <= 150


def _parsed(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_one_slack_message_and_one_email_reach_local_receivers_without_secrets(
    redact: Redactor,
) -> None:
    results = rollback_results()
    report = f"<html><body>Release verdict: ROLLBACK {DB_SECRET}</body></html>"
    with webhook(f"/services/T0/B0/{HOOK_SECRET}") as hook, smtp_server() as box:
        settings = environment(
            {
                "slack": {"webhook_url": hook.url},
                "email": {
                    "host": LOOPBACK,
                    "port": box.port,
                    "tls": "none",
                    "user": "verify",
                    "password": SMTP_SECRET,
                    "sender": "verify@facturino.example",
                },
            }
        )
        message = build(decide(results), results, settings, redact)
        sent = notify(
            message, settings.notify.slack, settings.notify.email, 5.0, redact, report=report
        )
    assert [(s.channel, s.outcome) for s in sent] == [("slack", "sent"), ("email", "sent")]
    assert sent[1].detail == f"mailed to {RUNBOOK_EMAIL}"
    assert len(hook.posts) == 1 and len(box.messages) == 1
    assert box.logins == [("verify", SMTP_SECRET)]  # the login reached the server, not the mail
    payload = json.loads(hook.posts[0][1])
    assert payload["blocks"][0]["text"]["text"] == "Facturino verification: ROLLBACK on prod"
    mail = _parsed(box.messages[0].original_content or b"")
    assert mail["Subject"] == "[ROLLBACK] Facturino verification: ROLLBACK on prod"
    assert box.messages[0].rcpt_tos == [RUNBOOK_EMAIL]
    body, attachment = [
        p for p in mail.walk() if isinstance(p, EmailMessage) and not p.is_multipart()
    ]
    assert "test_app_debug_is_off [critical]" in body.get_content()
    assert attachment.get_filename() == "report.html"
    assert "Release verdict: ROLLBACK" in attachment.get_content()
    received = [("slack", hook.posts[0][1]), ("mail", box.messages[0].original_content or b"")]
    received += [("mail part", part.get_payload(decode=True) or b"") for part in (body, attachment)]
    assert scan(received, [DB_SECRET, HOOK_SECRET, SMTP_SECRET]).leaks == {}


def _send(
    slack_url: str | None, smtp_port: int | None, timeout: float, redact: Redactor
) -> tuple[list[tuple[str, str, str]], float]:
    results = rollback_results()
    section: dict[str, Any] = {}
    if slack_url:
        section["slack"] = {"webhook_url": slack_url}
    if smtp_port:
        section["email"] = {
            "host": LOOPBACK,
            "port": smtp_port,
            "tls": "none",
            "sender": "verify@facturino.example",
        }
    env = environment(section)
    start = time.monotonic()
    sent = notify(
        build(decide(results), results, env, redact),
        env.notify.slack,
        env.notify.email,
        timeout,
        redact,
    )
    return [(s.channel, s.outcome, s.detail) for s in sent], time.monotonic() - start


def test_receivers_that_hang_fail_within_the_timeout(redact: Redactor) -> None:
    with webhook(f"/services/{HOOK_SECRET}") as hook, silent_server() as port:
        hook.hang_seconds = 5.0
        sent, took = _send(hook.url, port, 1.0, redact)
    assert took < 2.0
    assert [(channel, outcome) for channel, outcome, _ in sent] == [
        ("slack", "failed"),
        ("email", "failed"),
    ]
    assert "did not answer in time" in sent[0][2] or "no answer within 1 s" in sent[0][2]
    assert all(HOOK_SECRET not in detail for _, _, detail in sent)


def test_refused_and_erroring_receivers_are_failed_outcomes_with_the_reason(
    redact: Redactor,
) -> None:
    closed = free_port()  # nothing listens there: connection refused
    sent, _ = _send(f"http://{LOOPBACK}:{closed}/services/{HOOK_SECRET}", closed, 3.0, redact)
    assert [outcome for _, outcome, _ in sent] == ["failed", "failed"]
    assert "ConnectError" in sent[0][2] and "refused" in sent[1][2].lower()
    with webhook(f"/services/{HOOK_SECRET}") as hook:
        hook.status = 500
        sent, _ = _send(hook.url, None, 3.0, redact)
    assert sent == [("slack", "failed", "the webhook answered HTTP 500 no_service")]


def test_the_root_cause_leads_the_failures(redact: Redactor) -> None:
    results = rollback_results()
    cause = RootCause(
        "test_app_debug_is_off",
        "debug mode is on",
        "",
        f"set APP_DEBUG=false (DB_PASSWORD={DB_SECRET})",
        ("test_hsts_matches_app_env",),
    )
    message = build(decide(results), results, environment(), redact, [cause])
    text = plain_text(message)
    assert "ROOT CAUSE: debug mode is on (test_app_debug_is_off): set APP_DEBUG=false" in text
    assert text.index("ROOT CAUSE:") < text.index("Failed checks (2):")
    payload = slack_payload(message, "#a", redact)
    assert payload["blocks"][2]["text"]["text"].startswith("*Root cause*\n• debug mode is on")
    assert DB_SECRET not in text + json.dumps(payload)


def test_a_large_self_contained_report_is_mailed_at_once_without_its_secrets(
    redact: Redactor,
) -> None:
    """A report's inline image is one token of hundreds of kilobytes: the attachment is masked
    for the known secrets only (the credential patterns take minutes over such a token)."""
    image = "data:image/png;base64," + "iVBORw0KGgo" * 30_000
    report = f"<html><p style='width: 100%'>{DB_SECRET}</p><img src='{image}'></html>"
    results = rollback_results()
    with smtp_server() as box:
        env = environment(
            {"email": {"host": LOOPBACK, "port": box.port, "tls": "none", "sender": "v@f.example"}}
        )
        start = time.monotonic()
        sent = notify(
            build(decide(results), results, env, redact),
            None,
            env.notify.email,
            10.0,
            redact,
            report,
        )
        took = time.monotonic() - start
    assert [(s.channel, s.outcome) for s in sent] == [("email", "sent")] and took < 5.0
    mail = _parsed(box.messages[0].original_content or b"")
    attachment = next(p for p in mail.iter_attachments() if isinstance(p, EmailMessage))
    content = attachment.get_content()
    assert image in content and DB_SECRET not in content and "«redacted»" in content
