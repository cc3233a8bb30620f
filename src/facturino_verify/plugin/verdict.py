"""The release verdict at the end of a run: severities, exit code, terminal block, summary.json."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import pytest

from ..config import Environment
from ..redact import Redactor
from ..report.notify import notification_lines
from ..report.pushgateway import push, verdict_registry
from ..verdict import (
    TITLES,
    CheckResult,
    Verdict,
    decide,
    default_rule,
    matches,
    rollback_values,
)
from ..verdict.catalog import Rule
from ..verdict.causes import apply_causes
from ..verdict.decide import NOT_JUDGED as NOT_JUDGED_OUTCOME
from ..verdict.decide import SUMMARY_SCHEMA
from ..verdict.rootcause import UNREACHABLE_CLAIM, RootCause, find_root_causes
from ..verdict.waivers import WAIVED, WaiverReport, WaiverRule
from ..verdict.waivers import report as waiver_report
from . import stash
from .history import rollback_target
from .options import reports_dir

FLAKY_KEY = "network_retries"
NOT_JUDGED_KEY = "not_judged"  # set by plugin/report.py on a check the suite could not judge


def rule_for(item_name: str, env: Environment, marker: pytest.Mark | None) -> Rule:
    """Severity by precedence: the environment's ``[severity]``, the test's marker, the default."""
    rule = default_rule(item_name)
    if marker is not None and marker.args:
        rule = Rule(item_name, marker.args[0], marker.kwargs.get("scenario", rule.scenario))
    for pattern, severity in env.severity.items():
        if matches(pattern, item_name):
            return Rule(item_name, severity, rule.scenario)
    return rule


def register_checks(
    config: pytest.Config, kept: list[pytest.Item], dropped: list[pytest.Item]
) -> None:
    """Record every check the selection kept or the environment's capabilities dropped."""
    env = config.stash[stash.ENVIRONMENT]
    results = config.stash.setdefault(stash.RESULTS, {})
    for item in [*kept, *dropped]:
        rule = rule_for(item.name, env, item.get_closest_marker("severity"))
        results[item.nodeid] = CheckResult(item.nodeid, item.name, rule.severity, rule.scenario)
        item.user_properties += [("severity", rule.severity), ("scenario", rule.scenario)]


class VerdictRecorder:
    """Registered for verification runs only: follows every report, decides at the end.

    A plugin object (like pytest's terminal reporter) because report hooks receive no config."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.interrupted = False
        config.stash[stash.RUN_STARTED] = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        results = self.config.stash.setdefault(stash.RESULTS, {})
        props = dict(report.user_properties)
        result = results.get(report.nodeid)
        if result is None:  # under xdist the controller learns checks from reports only
            name = report.nodeid.rsplit("::", 1)[-1]
            rule = default_rule(name)
            severity = props.get("severity", rule.severity)
            scenario = props.get("scenario", rule.scenario)
            result = CheckResult(report.nodeid, name, severity, scenario)  # type: ignore[arg-type]
            results[report.nodeid] = result
        _update(result, report, props)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # tryfirst: the verdict must exist before pytest-html writes the report.
        config = self.config
        if hasattr(config, "workerinput") or exitstatus in ABORTED or config.option.collectonly:
            return
        env = config.stash[stash.ENVIRONMENT]
        results = list(config.stash.get(stash.RESULTS, {}).values())
        apply_causes(results)
        # Ctrl-C: the verdict of what was judged (never GO), and the reports all the same.
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        verdict = decide(
            results, flaky_is_failure=env.retries.flaky_is_failure, interrupted=interrupted
        )
        self.interrupted = interrupted
        config.stash[stash.INTERRUPTED] = interrupted
        config.stash[stash.VERDICT] = verdict
        config.stash[stash.ROLLBACK] = rollback_values(env, rollback_target(config))
        causes = find_root_causes(results, sessions_in_redis="sessions" in env.redis_uses)
        config.stash[stash.ROOT_CAUSES] = causes
        _point_dependents_at_their_cause(session, causes)
        rules: list[WaiverRule] = config.stash[stash.WAIVERS]
        config.stash[stash.WAIVER_REPORT] = waiver_report(results, rules, config.stash[stash.TODAY])
        session.exitstatus = verdict.exit_code
        if env.report.pushgateway_url:
            duration = time.monotonic() - config.stash[stash.RUN_STARTED]
            registry = verdict_registry(verdict, env.name, duration)
            problem = push(env.report.pushgateway_url, env.report.job, registry, env.name)
            config.stash[stash.PUSH_PROBLEM] = problem or ""
        if not config.option.facturino_no_reports:
            write_summary(config, env, results, verdict)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """After Ctrl-C, once the verdict is printed and the reports are written, end now:
        pytest's own clean-up (repeated garbage collections, threads stuck on a hanging
        target) would keep the operator waiting for seconds."""
        verdict = config.stash.get(stash.VERDICT, None)
        if self.interrupted and verdict is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(verdict.exit_code)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Any:
        if report.when == "call" and _waived(report):
            return WAIVED, "W", ("WAIVED", {"yellow": True})
        if report.skipped and NOT_JUDGED_KEY in dict(report.user_properties):
            return "not judged", "N", ("NOT JUDGED", {"yellow": True})
        if report.when == "call" and report.passed and dict(report.user_properties).get(FLAKY_KEY):
            return "flaky", "R", ("FLAKY", {"yellow": True})
        return None


ABORTED = (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)


def caused_by(causes: list[RootCause]) -> dict[str, RootCause]:
    """Check name → the root cause it is listed under."""
    return {name: cause for cause in causes for name in cause.dependents}


def dependent_text(cause: RootCause) -> str:
    """What a dependent failure says instead of its own explanation (and its own remedy, which
    would point the wrong way)."""
    return (
        f"caused by {cause.check}: {cause.title} (see ROOT CAUSE at the end; this check's own "
        "remedy does not apply)"
    )


def _point_dependents_at_their_cause(session: pytest.Session, causes: list[RootCause]) -> None:
    """The terminal prints failures after this hook: each dependent shows one line naming its
    cause instead of a block with a misleading remedy (47 timeout blocks become one cause)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", {})
    by_name = caused_by(causes)
    for report in [*stats.get("failed", []), *stats.get("error", [])]:
        cause = by_name.get(report.nodeid.rsplit("::", 1)[-1])
        if cause is not None and isinstance(report, pytest.TestReport):
            report.longrepr = dependent_text(cause)


def _update(result: CheckResult, report: pytest.TestReport, props: dict[str, Any]) -> None:
    result.duration += report.duration
    result.properties.update(
        {k: str(v) for k, v in props.items() if k not in ("severity", "scenario")}
    )
    result.retries = max(result.retries, int(props.get(FLAKY_KEY, 0) or 0))
    if _waived(report):
        result.outcome = WAIVED
        result.message = str(props.get("waived_failure", ""))[:300]
    elif report.skipped and NOT_JUDGED_KEY in props:
        result.outcome = NOT_JUDGED_OUTCOME
        result.message = str(props[NOT_JUDGED_KEY])[:300]
    elif report.failed:
        result.outcome = "failed" if report.when == "call" else "error"
        text = str(report.longrepr) if report.longrepr else ""
        result.message = text.splitlines()[0][:300] if text else ""
        result.seen, result.remedy = _labelled(text, "seen:")[:300], _labelled(text, "remedy:")
        if result.message.startswith(UNREACHABLE_CLAIM):
            # Whatever the check is about, an unreachable app calls for redeploying.
            result.scenario = "bad_deployment"
    elif report.skipped and result.outcome not in ("failed", "error", WAIVED, NOT_JUDGED_OUTCOME):
        result.outcome = "skipped"
        result.message = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
    elif report.when == "call" and result.outcome not in (
        "failed",
        "error",
        WAIVED,
        NOT_JUDGED_OUTCOME,
    ):
        result.outcome = "passed"


def _labelled(text: str, label: str) -> str:
    """The value of a ``  label: value`` line of a failure (CheckFailed's layout), or ''."""
    for line in text.splitlines():
        if line.strip().startswith(label):
            return line.strip()[len(label) :].strip()
    return ""


def _waived(report: pytest.TestReport) -> bool:
    # plugin/report.py marks a waived failure; kept in sync by the shared prefix.
    return str(getattr(report, "wasxfail", "")).startswith("WAIVED: ")


def summary(
    config: pytest.Config, env: Environment, results: list[CheckResult], verdict: Verdict
) -> dict[str, Any]:
    from ..verdict import steps

    redact = config.stash[stash.REDACTOR]
    scenario = verdict.scenario
    return {
        "schema": SUMMARY_SCHEMA,
        "verdict": verdict.name,
        "exit_code": verdict.exit_code,
        "reason": redact(verdict.reason),
        "environment": env.name,
        "target": redact(env.target.url),
        "location": env.run.location,
        "scenario": None
        if scenario is None
        else {
            "name": scenario,
            "title": TITLES[scenario],
            "steps": steps(scenario, config.stash[stash.ROLLBACK]),
        },
        "counts": verdict.counts,
        "duration_s": round(time.monotonic() - config.stash[stash.RUN_STARTED], 3),
        "root_causes": [_cause_entry(c, redact) for c in config.stash.get(stash.ROOT_CAUSES, [])],
        "checks": [
            _check_entry(r, redact, caused_by(config.stash.get(stash.ROOT_CAUSES, [])))
            for r in results
        ],
        "probe_latency_ms": config.stash.get(stash.PROBE_LATENCY, {}),
        "waivers": _waivers_entry(config.stash.get(stash.WAIVER_REPORT, WaiverReport()), redact),
        "pushgateway": _push_state(config, env),
        "notifications": [sent.as_dict() for sent in config.stash.get(stash.NOTIFICATIONS, [])],
    }


def _waivers_entry(waivers: WaiverReport, redact: Redactor) -> dict[str, Any]:
    def rule(pattern: str) -> dict[str, Any]:
        r = waivers.rules[pattern]
        return {
            "pattern": pattern,
            "reason": redact(r.reason),
            "expires": r.expires.isoformat(),
            "ticket": r.ticket,
        }

    return {
        "applied": [{**rule(p), "checks": names} for p, names in waivers.applied.items()],
        "expired": [{**rule(p), "checks": names} for p, names in waivers.expired.items()],
        "stale": [rule(p) for p in waivers.stale],
    }


def _push_state(config: pytest.Config, env: Environment) -> str:
    if not env.report.pushgateway_url:
        return "not configured"
    problem = config.stash.get(stash.PUSH_PROBLEM, "")
    return f"push failed: {problem}" if problem else "pushed"


def _check_entry(r: CheckResult, redact: Redactor, causes: dict[str, RootCause]) -> dict[str, Any]:
    cause = causes.get(r.name)
    return {
        "id": r.nodeid,
        "name": r.name,
        "severity": r.severity,
        "scenario": r.scenario,
        "outcome": r.outcome,
        "flaky": r.flaky,
        "retries": r.retries,
        "duration_s": round(r.duration, 4),
        "message": redact(r.message),
        "seen": redact(r.seen),
        # A dependent's own remedy points the wrong way: its cause's is the one to follow.
        "remedy": "" if cause else redact(r.remedy),
        "caused_by": cause.check if cause else None,
        "figures": {k: redact(v) for k, v in r.properties.items()},
    }


def _cause_entry(cause: RootCause, redact: Redactor) -> dict[str, Any]:
    return {
        "check": cause.check,
        "title": cause.title,
        "seen": redact(cause.seen),
        "remedy": redact(cause.remedy),
        "dependents": list(cause.dependents),
    }


def write_summary(
    config: pytest.Config, env: Environment, results: list[CheckResult], verdict: Verdict
) -> None:
    path = reports_dir(config) / "summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary(config, env, results, verdict), indent=2) + "\n")


PREDEPLOY_FAILED = (
    "pre-deployment checklist failed: do not deploy (nothing was deployed, so nothing to roll "
    "back); fix what failed and run -m predeploy again"
)


def verdict_lines(config: pytest.Config) -> list[str]:
    """The block printed last: the verdict, why, and the runbook's commands for a rollback."""
    from ..verdict import steps

    verdict = config.stash.get(stash.VERDICT, None)
    if verdict is None:
        return []
    ran = {s: c["ran"] for s, c in verdict.counts.items()}
    redact = config.stash[stash.REDACTOR]
    lines = [redact(line) for line in root_cause_lines(config.stash.get(stash.ROOT_CAUSES, []))]
    lines += [
        f"VERDICT: {verdict.name} (exit {verdict.exit_code}) - {verdict.reason}",
        f"checks run by severity: critical {ran['critical']}, major {ran['major']}, "
        f"warning {ran['warning']}",
    ]
    waived = sum(c.get("waived", 0) for c in verdict.counts.values())
    if waived:
        lines.append(f"waived known defects: {waived} (see 'waivers' above and in the report)")
    if config.stash.get(stash.PUSH_PROBLEM, ""):
        lines.append(f"pushgateway: push failed ({config.stash[stash.PUSH_PROBLEM]})")
    lines += notification_lines(config.stash.get(stash.NOTIFICATIONS, []))
    # Before a deploy there is nothing to roll back: a failure means "do not deploy".
    predeploy = "predeploy" in (config.option.markexpr or "")
    if predeploy and verdict.name in ("BLOCKED", "ROLLBACK"):
        lines.append(PREDEPLOY_FAILED)
    if verdict.scenario is not None and not predeploy:
        lines.append(f"runbook {TITLES[verdict.scenario]}:")
        lines += [f"  {step}" for step in steps(verdict.scenario, config.stash[stash.ROLLBACK])]
    return lines


SHOWN_DEPENDENTS = 8  # a long list is in the report and summary.json


def root_cause_lines(causes: list[RootCause]) -> list[str]:
    """Each cause once, with its remedy, and the failures it explains (not their remedies)."""
    lines = []
    for cause in causes:
        names = list(cause.dependents)
        shown = ", ".join(names[:SHOWN_DEPENDENTS])
        more = f" and {len(names) - SHOWN_DEPENDENTS} more" if len(names) > SHOWN_DEPENDENTS else ""
        lines += [
            f"ROOT CAUSE: {cause.title} ({cause.check})",
            *([f"  seen:   {cause.seen}"] if cause.seen else []),
            *([f"  remedy: {cause.remedy}"] if cause.remedy else []),
            f"  explains {len(names)} more: {shown}{more}",
        ]
    return lines
