"""Notifications end to end: ``pytest -m smoke`` with ``[notify]`` configured, mailing and posting
to local receivers on loopback. A GO run sends nothing; a ROLLBACK run sends exactly one Slack
message and one e-mail with the verdict and the failed checks and no secret; receivers that
hang are a warning line and a failed entry in summary.json, never another verdict.

One reference deployment serves both the GO and the ROLLBACK run (the ROLLBACK is the release
expecting a migration the deployment never ran: a critical check, the runbook's scenario 2);
the hanging receivers need no deployment (an unreachable target is a ROLLBACK too).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from facturino_reference import free_port_base
from facturino_verify.verdict import EXIT_CODES

from . import hostile_server as hs
from . import test_hostile_targets as hostile
from .notify_receivers import LOOPBACK, Mailbox, Webhook, silent_server, smtp_server, webhook
from .reference_runs import SuiteRun, run_suite, started
from .secret_scan import artifacts, scan

pytestmark = pytest.mark.fault_matrix

HOOK_SECRET = "canary-notify-hook-8k2m5p"
SMTP_SECRET = "canary-notify-smtp-4j7n1q"
# The reference deployment's own secrets (its environment.toml's defaults).
REFERENCE_SECRETS = [f"reference-{n}-secret" for n in ("db", "redis", "admin", "partner")]
SECRETS = {"FACTURINO_TEST_NOTIFY_HOOK": HOOK_SECRET, "FACTURINO_TEST_SMTP_PASSWORD": SMTP_SECRET}
NOT_DEPLOYED = "2099_01_01_000000_not_deployed_yet"
MIGRATION_CHECK = "test_newest_expected_migration_has_run"


def notify_section(hook_url: str, smtp_port: int, timeout: float = 10.0) -> str:
    """[notify] as an operator writes it: both secrets as ${VAR} references."""
    return f"""
[notify]
report_base_url = "https://ci.example/runs/42"
timeout_seconds = {timeout}

[notify.slack]
webhook_url = "${{FACTURINO_TEST_NOTIFY_HOOK_URL}}"

[notify.email]
host = "{LOOPBACK}"
port = {smtp_port}
tls = "none"
user = "verify"
password = "${{FACTURINO_TEST_SMTP_PASSWORD}}"
sender = "verify@facturino.example"
"""


def smoke(
    home: Path, reports: Path, hook: str, *extra: str, **overrides: str
) -> tuple[SuiteRun, Any]:
    env = {**SECRETS, "FACTURINO_TEST_NOTIFY_HOOK_URL": hook, **overrides}
    run = run_suite(home, "smoke", *extra, overrides=env, reports_dir=reports)
    return run, json.loads((reports / "summary.json").read_text())


def received(hook: Webhook, box: Mailbox) -> list[tuple[str, bytes]]:
    return [("slack", body) for _, body in hook.posts] + [
        ("mail", message.original_content or b"") for message in box.messages
    ]


def test_a_go_run_sends_nothing_and_a_rollback_run_one_slack_message_and_one_email(
    tmp_path: Path,
) -> None:
    with (
        started(free_port_base) as dep,
        webhook(f"/services/T0/B0/{HOOK_SECRET}") as hook,
        smtp_server() as box,
    ):
        file = dep.home / "environment.toml"
        file.write_text(file.read_text() + notify_section(hook.url, box.port))
        go, go_summary = smoke(dep.home, tmp_path / "go", hook.url)
        assert (go.exit_code, hook.posts, box.messages) == (0, [], []), go.output[-3000:]
        override = {"FACTURINO_VERIFY__DATABASE__NEWEST_MIGRATION": NOT_DEPLOYED}
        rollback, summary = smoke(dep.home, tmp_path / "rollback", hook.url, **override)
    assert go_summary["notifications"] == [] and "notified by" not in go.output

    assert rollback.exit_code == EXIT_CODES["ROLLBACK"], rollback.output[-3000:]
    assert (len(hook.posts), len(box.messages)) == (1, 1)
    assert box.logins == [("verify", SMTP_SECRET)]
    slack = json.loads(hook.posts[0][1])
    title = f"Facturino verification: ROLLBACK on {summary['environment']}"
    assert slack["blocks"][0]["text"]["text"] == title
    assert f"`{MIGRATION_CHECK}` (critical)" in json.dumps(slack)
    mail = (box.messages[0].original_content or b"").decode()
    assert "Subject: [ROLLBACK] Facturino verification" in mail
    assert f"{MIGRATION_CHECK} [critical]" in mail and 'filename="report.html"' in mail
    assert [(n["channel"], n["outcome"]) for n in summary["notifications"]] == [
        ("slack", "sent"),
        ("email", "sent"),
    ]
    assert "notified by slack: posted to #facturino-alerts" in rollback.output
    assert "railway" in rollback.output.rstrip().splitlines()[-1]  # the runbook still ends it
    everything = [
        *received(hook, box),
        *artifacts(tmp_path),
        ("terminal", rollback.output.encode()),
    ]
    assert scan(everything, [HOOK_SECRET, SMTP_SECRET, *REFERENCE_SECRETS]).leaks == {}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def test_hanging_receivers_are_a_warning_and_never_change_the_verdict(tmp_path: Path) -> None:
    home = tmp_path / "unreachable"
    home.mkdir()
    target = f'[target]\nurl = "https://{LOOPBACK}:{closed_port()}"\n'
    with webhook(f"/services/{HOOK_SECRET}") as hook, silent_server() as port:
        hook.hang_seconds = 30.0
        (home / "environment.toml").write_text(target + notify_section(hook.url, port, 2.0))
        run, summary = smoke(home, tmp_path / "reports", hook.url)
    assert (run.exit_code, summary["verdict"]) == (EXIT_CODES["ROLLBACK"], "ROLLBACK")
    assert [(n["channel"], n["outcome"]) for n in summary["notifications"]] == [
        ("slack", "failed"),
        ("email", "failed"),
    ]
    assert "WARNING: notification by slack failed" in run.output
    assert "WARNING: notification by email failed" in run.output
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output
    assert HOOK_SECRET not in run.output


def test_a_location_run_with_no_notify_sends_nothing(tmp_path: Path) -> None:
    """One location of several: its ROLLBACK is sent once, by the merge (test_merge.py)."""
    home = tmp_path / "unreachable"
    home.mkdir()
    target = f'[target]\nurl = "https://{LOOPBACK}:{closed_port()}"\n'
    with webhook(f"/services/{HOOK_SECRET}") as hook, smtp_server() as box:
        (home / "environment.toml").write_text(target + notify_section(hook.url, box.port))
        run, summary = smoke(home, tmp_path / "reports", hook.url, "--no-notify")
    assert run.exit_code == EXIT_CODES["ROLLBACK"], run.output[-2000:]
    assert (hook.posts, box.messages) == ([], [])
    assert [(n["channel"], n["outcome"], n["detail"]) for n in summary["notifications"]] == [
        ("slack", "skipped", "--no-notify"),
        ("email", "skipped", "--no-notify"),
    ]
    assert "not notified by email: --no-notify" in run.output


def test_ctrl_c_sends_nothing(tmp_path: Path) -> None:
    """The operator interrupted the run and is at the keyboard: no message (and no wait for one;
    test_hostile_targets.py holds the 2 s bound of Ctrl-C)."""
    with (
        hs.hostile(hs.hang, tmp_path, tls=True) as target,
        webhook(f"/services/{HOOK_SECRET}") as hook,
        smtp_server() as box,
    ):
        file = hostile.env_file(tmp_path, target)
        file.write_text(file.read_text() + notify_section(hook.url, box.port))
        environ = {**os.environ, **SECRETS, "FACTURINO_TEST_NOTIFY_HOOK_URL": hook.url}
        process = subprocess.Popen(
            [hostile.PYTEST, "-m", "smoke", f"--env-file={file}", "-q", "-p", "no:cacheprovider",
             f"--reports-dir={tmp_path / 'reports'}"],
            cwd=hostile.ROOT, env=environ, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        target.wait_for_requests(5)
        process.send_signal(signal.SIGINT)
        code, summary, output = hostile.finished(tmp_path, process)
    assert code == EXIT_CODES["INCONCLUSIVE"], output[-2000:]
    assert "not notified by slack: the run was interrupted" in output
    assert (hook.posts, box.messages) == ([], [])
    assert [(n["channel"], n["outcome"]) for n in summary["notifications"]] == [
        ("slack", "skipped"),
        ("email", "skipped"),
    ]
