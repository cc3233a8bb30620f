"""What the run says about itself: terminal header and summary, HTML report, redaction."""

from __future__ import annotations

import html
import logging
from collections.abc import Generator
from typing import Any

import pytest

from ..checks import CheckFailed
from ..clients import TargetError
from ..clients.errors import NotJudged
from ..redact import Redactor
from ..report.html import rollback_steps_for, stakeholder_view
from ..verdict.rootcause import RootCause
from ..verdict.waivers import WaiverRule, covering, lines
from . import stash
from .verdict import FLAKY_KEY, NOT_JUDGED_KEY, caused_by, dependent_text, verdict_lines

# The runbook's response-time target: "average response time should be <200ms".
BUDGET_MS = 200.0
WAIVED_PREFIX = "WAIVED: "
# A check the suite could not judge for a reason of its own (its sign-in was throttled).
NOT_JUDGED = "NOT JUDGED: "


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
    if deselected:
        terminalreporter.section("deselected: capability not granted by the environment")
        for nodeid, reason in deselected:
            terminalreporter.line(f"{nodeid}: {reason}")
    flaky = [r for r in config.stash.get(stash.RESULTS, {}).values() if r.flaky]
    if flaky:
        terminalreporter.section("flaky: passed only after network retries", yellow=True)
        for result in flaky:
            terminalreporter.line(f"{result.nodeid}: {result.retries} retries")
    waivers = config.stash.get(stash.WAIVER_REPORT, None)
    if waivers is not None and lines(waivers):
        terminalreporter.section("waivers: known defects of [waivers]", yellow=True)
        for line in lines(waivers):
            terminalreporter.line(config.stash[stash.REDACTOR](line))


def pytest_unconfigure(config: pytest.Config) -> None:
    """The verdict is the last thing printed, after pytest's own summary line."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    lines = verdict_lines(config)
    if reporter is None or not lines:
        return
    verdict = config.stash[stash.VERDICT]
    colour = {"GO": "green", "DEGRADED": "yellow"}.get(verdict.name, "red")
    reporter.write_sep("=", f"release verdict: {verdict.name}", **{colour: True, "bold": True})
    for line in lines:
        reporter.write_line(line)


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    # pytest-html passes its ReportData, which keeps the config only as ``_config``.
    config = getattr(report, "_config", None)
    env = config.stash.get(stash.ENVIRONMENT, None) if config is not None else None
    report.title = f"Facturino verification — {env.name}" if env else "Facturino verification"


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # the verdict banner before any notes
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    config = session.config
    if stash.ENVIRONMENT not in config.stash:
        return
    env, redact = config.stash[stash.ENVIRONMENT], config.stash[stash.REDACTOR]
    verdict = config.stash.get(stash.VERDICT, None)
    if verdict is not None:
        results = list(config.stash.get(stash.RESULTS, {}).values())
        latency: dict[str, float] = config.stash.get(stash.PROBE_LATENCY, {})
        causes: list[RootCause] = config.stash.get(stash.ROOT_CAUSES, [])
        view = stakeholder_view(
            verdict,
            results,
            env.name,
            redact(env.target.url),
            latency,
            BUDGET_MS,
            rollback_steps_for(verdict, config.stash[stash.ROLLBACK]),
            config.stash.get(stash.WAIVER_REPORT, None),
            causes,
        )
        prefix.extend(redact(fragment) for fragment in view)
        _point_html_rows_at_their_cause(config, causes)
    deselected = config.stash.get(stash.DESELECTED, [])
    if deselected:
        rows = "".join(f"<li>{html.escape(n)}: {html.escape(r)}</li>" for n, r in deselected)
        prefix.append(f"<p><b>Deselected (capability not granted):</b></p><ul>{rows}</ul>")


def _point_html_rows_at_their_cause(config: pytest.Config, causes: list[RootCause]) -> None:
    """A dependent's row in pytest-html's table shows its cause, not its own remedy. pytest-html
    keeps each row's log until it renders, right after this hook; if its layout changes, the
    rows keep their own text (the root-cause section above them still names the cause)."""
    by_name = caused_by(causes)
    for plugin in config.pluginmanager.get_plugins():
        tests = getattr(getattr(getattr(plugin, "_report", None), "data", None), "get", None)
        rows = tests("tests") if callable(tests) else None
        if not isinstance(rows, dict):
            continue
        for nodeid, entries in rows.items():
            cause = by_name.get(str(nodeid).rsplit("::", 1)[-1])
            if cause is None:
                continue
            for entry in entries:
                if isinstance(entry, dict) and entry.get("result") in ("Failed", "Error"):
                    entry["log"] = html.escape(dependent_text(cause))


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
    env = item.config.stash[stash.ENVIRONMENT]
    retries = dict(report.user_properties).get(FLAKY_KEY)
    if report.when == "call" and report.passed and retries and env.retries.flaky_is_failure:
        report.outcome = "failed"
        report.longrepr = (
            f"passed only after {retries} network retr{'y' if retries == 1 else 'ies'}, and "
            "this environment counts a flaky check as failed ([retries] flaky_is_failure)"
        )
    if call.excinfo is not None and not isinstance(call.excinfo.value, CheckFailed | TargetError):
        # Any other failure: its exception line first (a waived failure is summed up by it).
        crash = getattr(report.longrepr, "reprcrash", None)
        if crash is not None and report.longrepr is not None:
            report.longrepr = f"{crash.message}\n{report.longrepr}"
    if call.excinfo is not None and isinstance(call.excinfo.value, CheckFailed):
        # A failed check explains itself; the traceback through helpers adds only noise.
        # The claim comes first: pytest's short summary shows the first line.
        path, line, _ = item.location
        report.longrepr = f"{call.excinfo.value}\n  at {path}:{(line or 0) + 1} ({item.name})"
    elif call.excinfo is not None and isinstance(call.excinfo.value, NotJudged):
        # The suite could not ask (its sign-in throttled or refused): nothing is known here.
        path, line, _ = item.location
        report.outcome = "skipped"
        report.longrepr = (str(path), (line or 0) + 1, f"{NOT_JUDGED}{call.excinfo.value}")
        report.user_properties.append((NOT_JUDGED_KEY, str(call.excinfo.value)))
    elif call.excinfo is not None and isinstance(call.excinfo.value, TargetError):
        # A service that could not be asked (in a fixture, say): one sentence naming it and
        # what to check, not a driver traceback.
        path, line, _ = item.location
        report.longrepr = (
            f"could not ask the deployment: {call.excinfo.value}\n"
            f"  at {path}:{(line or 0) + 1} ({item.name}, {report.when})"
        )
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason) must stay a tuple
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redact(reason))
    elif report.longrepr is not None:
        report.longrepr = redact(str(report.longrepr))
    report.sections = [(title, redact(text)) for title, text in report.sections]
    _apply_waiver(item, report)
    # Recorded properties go to JUnit, summary.json and the HTML evidence column.
    report.user_properties = [
        (key, redact(value) if isinstance(value, str) else value)
        for key, value in report.user_properties
    ]
    return report


def _apply_waiver(item: pytest.Item, report: pytest.TestReport) -> None:
    """A failed check that an active waiver covers becomes WAIVED: reported like an expected
    failure (JUnit ``<skipped type="pytest.xfail">``), never counted in the verdict. Only a
    check's own failure is waived, not an error in its set-up (that is another problem)."""
    if report.when != "call" or not report.failed:
        return
    rules: list[WaiverRule] = item.config.stash.get(stash.WAIVERS, [])
    rule = covering(item.name, rules)
    if rule is None:
        return
    if not rule.active_on(item.config.stash[stash.TODAY]):
        report.longrepr = (
            f"{report.longrepr}\n  (waiver '{rule.pattern}' expired on "
            f"{rule.expires.isoformat()}: this failure counts again)"
        )
        report.user_properties.append(("waiver_expired", rule.pattern))
        return
    claim = str(report.longrepr or "").splitlines()[0] if report.longrepr else ""
    report.user_properties += [("waived_failure", claim), ("waiver", rule.describe())]
    report.outcome = "skipped"
    report.wasxfail = WAIVED_PREFIX + rule.describe()


def is_waived(report: pytest.TestReport) -> bool:
    return str(getattr(report, "wasxfail", "")).startswith(WAIVED_PREFIX)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    """pytest-html files a waived check under "Expected failures" (its filters know no other
    category); the row itself says WAIVED."""
    if is_waived(report) and len(cells) > 1:
        cells[1] = cells[1].replace('class="col-testId">', 'class="col-testId">[WAIVED] ', 1)


class _RedactingFilter(logging.Filter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._redact(record.getMessage()), None
        return True


def pytest_sessionstart(session: pytest.Session) -> None:
    """Live logs (``log_cli``) and log files bypass the reports: mask secrets at the handlers."""
    redact = session.config.stash.get(stash.REDACTOR, None)
    logging_plugin = session.config.pluginmanager.get_plugin("logging-plugin")
    if redact is None or logging_plugin is None:
        return
    for name in ("log_cli_handler", "log_file_handler", "caplog_handler", "report_handler"):
        handler = getattr(logging_plugin, name, None)
        if isinstance(handler, logging.Handler):
            handler.addFilter(_RedactingFilter(redact))
