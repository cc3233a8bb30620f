"""The feature flows' plugin half: run tag, tagged test data and its guaranteed cleanup, the auth
budget, Playwright's artifact defaults, and what the run reports about itself.

Registered from ``plugin/__init__.py`` (``pytest_plugins``). Fixtures whose names start with the
flow they serve live in ``plugin/flows.py``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from ..config import Environment
from ..runs.browser import scrub_archive
from ..runs.features import FeatureRun, new_run_tag
from . import stash
from .options import reports_dir

FEATURE_RUN = pytest.StashKey[FeatureRun]()
PLAYWRIGHT_DEFAULTS = {
    "tracing": ("--tracing", "retain-on-failure"),
    "screenshot": ("--screenshot", "only-on-failure"),
}


def _given(config: pytest.Config, flag: str) -> bool:
    return any(a == flag or a.startswith(flag + "=") for a in config.invocation_params.args)


def pytest_configure(config: pytest.Config) -> None:
    if stash.ENVIRONMENT not in config.stash:
        return
    env = config.stash[stash.ENVIRONMENT]
    config.stash[FEATURE_RUN] = FeatureRun(new_run_tag(env.features.run_tag_prefix))
    _playwright_defaults(config)


def _playwright_defaults(config: pytest.Config) -> None:
    """Keep a trace and a screenshot of every failing browser test under the reports folder
    (pytest-playwright then links them from the HTML report), unless given explicitly."""
    if not hasattr(config.option, "tracing"):
        return  # pytest-playwright not loaded (-p no:playwright)
    for dest, (flag, value) in PLAYWRIGHT_DEFAULTS.items():
        if not _given(config, flag):
            setattr(config.option, dest, value)
    if not _given(config, "--output"):
        reports = reports_dir(config)
        config.option.output = str(reports / "artifacts")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Kept traces record typed values and request bodies: mask every secret in them before a
    report links them (pytest-playwright saved them in its own, earlier-finishing wrapper)."""
    report = yield
    if report.when == "teardown" and stash.SECRETS in item.config.stash:
        secrets = item.config.stash[stash.SECRETS]  # resolved once, at configure
        for name, value in report.user_properties:
            if name == "playwright_trace":
                path = Path(str(value))
                if not path.is_absolute():
                    path = item.config.invocation_params.dir / path
                scrub_archive(path, secrets)
    return report


@pytest.fixture(scope="session")
def feature_run(pytestconfig: pytest.Config, deployment: Any) -> FeatureRun:
    """This run's tag and ledger (leftovers, notes, the auth calls spent)."""
    run = pytestconfig.stash[FEATURE_RUN]
    run.budget = deployment.auth_budget
    return run


@pytest.fixture(scope="session")
def run_tag(feature_run: FeatureRun) -> str:
    """The tag every record this run creates carries (name, e-mail, notes): ``verify-…``."""
    return feature_run.tag


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(FEATURE_RUN, None)
    if run is None:
        return
    if run.budget is not None and run.budget.purposes:
        purposes = run.budget.purposes
        terminalreporter.section("auth calls (the app allows 5/min per IP)")
        terminalreporter.line(
            f"{len(purposes)} of {run.budget.per_minute}/min: " + "; ".join(purposes)
        )
    if run.notes:
        terminalreporter.section("feature notes (not failures in this environment)")
        for nodeid, text in run.notes:
            terminalreporter.line(f"{nodeid}: {text}")
    if run.leftovers:
        terminalreporter.section("LEFT BEHIND: cleanup failed, remove these by hand", red=True)
        for left in run.leftovers:
            terminalreporter.line(
                f"{left.kind} #{left.id} ({left.label}) tagged {run.tag}: {left.reason}", red=True
            )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(FEATURE_RUN, None)
    if run is not None and run.leftovers and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    run = session.config.stash.get(FEATURE_RUN, None)
    if run is None:
        return
    if run.leftovers:
        rows = "".join(
            f"<li>{html.escape(f'{x.kind} #{x.id} ({x.label}): {x.reason}')}</li>"
            for x in run.leftovers
        )
        prefix.append(f"<p><b>LEFT BEHIND (tag {html.escape(run.tag)}):</b></p><ul>{rows}</ul>")
    if run.notes:
        rows = "".join(f"<li>{html.escape(n)}: {html.escape(t)}</li>" for n, t in run.notes)
        prefix.append(f"<p><b>Feature notes:</b></p><ul>{rows}</ul>")
    if run.budget is not None and run.budget.purposes:
        spent = "; ".join(run.budget.purposes)
        prefix.append(
            f"<p><b>Auth calls:</b> {len(run.budget.purposes)} ({html.escape(spent)})</p>"
        )


def environment_of(config: pytest.Config) -> Environment:
    return config.stash[stash.ENVIRONMENT]
