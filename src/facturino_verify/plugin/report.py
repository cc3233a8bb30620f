"""What the run says about itself: terminal header and summary, HTML report, redaction."""

from __future__ import annotations

import html
from collections.abc import Generator
from typing import Any

import pytest

from ..checks import CheckFailed
from . import stash


def pytest_report_header(config: pytest.Config) -> list[str]:
    if stash.ENVIRONMENT not in config.stash:
        return []
    env, redact = config.stash[stash.ENVIRONMENT], config.stash[stash.REDACTOR]
    return [
        f"facturino-verify: environment '{env.name}' ({config.stash[stash.ENV_FILE]}) "
        f"→ {redact(env.target.url)}"
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    deselected = config.stash.get(stash.DESELECTED, [])
    if not deselected:
        return
    terminalreporter.section("deselected: capability not granted by the environment")
    for nodeid, reason in deselected:
        terminalreporter.line(f"{nodeid}: {reason}")


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    # pytest-html passes its ReportData, which keeps the config only as ``_config``.
    config = getattr(report, "_config", None)
    env = config.stash.get(stash.ENVIRONMENT, None) if config is not None else None
    report.title = f"Facturino verification — {env.name}" if env else "Facturino verification"


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    config = session.config
    if stash.ENVIRONMENT not in config.stash:
        return
    env, redact = config.stash[stash.ENVIRONMENT], config.stash[stash.REDACTOR]
    prefix.append(
        f"<p><b>Environment:</b> {html.escape(env.name)} — "
        f"<b>Target:</b> {html.escape(redact(env.target.url))}</p>"
    )
    deselected = config.stash.get(stash.DESELECTED, [])
    if deselected:
        rows = "".join(f"<li>{html.escape(n)}: {html.escape(r)}</li>" for n, r in deselected)
        prefix.append(f"<p><b>Deselected (capability not granted):</b></p><ul>{rows}</ul>")


@pytest.hookimpl(optionalhook=True)
def pytest_metadata(metadata: dict[str, Any], config: pytest.Config) -> None:
    if stash.ENVIRONMENT not in config.stash:
        return
    env = config.stash[stash.ENVIRONMENT]
    redact = config.stash[stash.REDACTOR]
    for key in list(metadata):
        if isinstance(metadata[key], str):
            metadata[key] = redact(metadata[key])
    metadata["Environment"] = env.name
    metadata["Target"] = redact(env.target.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Mask secrets in every failure text and captured section before any reporter sees it."""
    report = yield
    redact = item.config.stash.get(stash.REDACTOR, None)
    if redact is None:
        return report
    if call.excinfo is not None and isinstance(call.excinfo.value, CheckFailed):
        # A failed check explains itself; the traceback through helpers adds only noise.
        # The claim comes first: pytest's short summary shows the first line.
        path, line, _ = item.location
        report.longrepr = f"{call.excinfo.value}\n  at {path}:{(line or 0) + 1} ({item.name})"
    if report.longrepr is not None:
        report.longrepr = redact(str(report.longrepr))
    report.sections = [(title, redact(text)) for title, text in report.sections]
    return report
