"""Glue for ``[notify]``: after the reports are written, send the verdict to the configured
channels (report/notify.py) and add what became of it to the terminal and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..report.message import build
from ..report.notify import Sent, notify
from . import stash
from .options import reports_dir


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Not at session finish: pytest-html writes report.html last there, and the e-mail
    attaches it. tryfirst: before plugin/report.py prints the verdict block, which names
    what was sent."""
    verdict = config.stash.get(stash.VERDICT, None)
    if verdict is None or hasattr(config, "workerinput"):
        return
    env = config.stash[stash.ENVIRONMENT]
    settings = env.notify
    if verdict.name not in settings.on or not settings.channels:
        return
    if config.option.facturino_no_notify:
        # One of several locations: the merge sends the merged verdict, once.
        sent = [Sent(c, "skipped", "--no-notify") for c in settings.channels]
    elif config.stash.get(stash.INTERRUPTED, False):
        # The operator is at the keyboard, and Ctrl-C must end the run at once.
        sent = [Sent(c, "skipped", "the run was interrupted") for c in settings.channels]
    else:
        redact = config.stash[stash.REDACTOR]
        results = list(config.stash.get(stash.RESULTS, {}).values())
        causes = config.stash.get(stash.ROOT_CAUSES, [])
        message = build(verdict, results, env, redact, causes, config.stash[stash.ROLLBACK])
        report = _report_html(config) if settings.email and settings.email.attach_report else None
        sent = notify(
            message, settings.slack, settings.email, settings.timeout_seconds, redact, report
        )
    config.stash[stash.NOTIFICATIONS] = sent
    if not config.option.facturino_no_reports:
        _add_to_summary(reports_dir(config) / "summary.json", sent)


def _report_html(config: pytest.Config) -> str | None:
    path = getattr(config.option, "htmlpath", None)
    if config.option.facturino_no_reports or not path or not Path(path).is_file():
        return None
    return Path(path).read_text(encoding="utf-8", errors="replace")


def _add_to_summary(path: Path, sent: list[Sent]) -> None:
    """summary.json was written at session finish, before anything was sent."""
    if not path.is_file():
        return
    summary = json.loads(path.read_text())
    summary["notifications"] = [s.as_dict() for s in sent]
    path.write_text(json.dumps(summary, indent=2) + "\n")
