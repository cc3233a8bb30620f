"""Command-line options and markers."""

from __future__ import annotations

from pathlib import Path

import pytest

SUITE_MARKERS = {
    "smoke": "post-deploy gate: read-only, answers in seconds",
    "features": "the runbook's feature table as end-to-end flows",
    "perf": "performance budget (pytest-benchmark; runs in its own invocation)",
    "monitoring": "Prometheus metrics, thresholds and alerts",
    "daily": "daily operations checks",
    "weekly": "weekly operations checks",
    "predeploy": "pre-deployment checklist: a recent backup, a rollback target, the migration "
    "rehearsal on a throwaway copy",
    # Daily checks an operator may add to the gate: -m "smoke or variables or caches".
    "variables": "critical environment variables through the shell (printenv, masked), "
    "cross-checked with HSTS and debug headers",
    "caches": "config/route/view caches built (php artisan about)",
}
CAPABILITY_MARKERS = {
    "writes": "creates data in the deployment; needs [allow] writes = true",
    "browser": "drives Chromium; needs [allow] browser = true",
    "db": "reads the database; needs a [database] section",
    "redis": "talks to Redis; needs a [redis] section and an app that uses Redis",
    "shell": "runs read-only commands in the deployment; needs [allow] shell and [shell] prefix",
    "queue_work": "runs `php artisan queue:work --once` (processes a job); needs a shell and "
    "[allow] queue_work = true",
    "rehearsal": "runs the release's migrations on a throwaway copy of the newest backup; needs "
    "[predeploy] workdir",
    "backup_folder": "reads backups from a local or mounted folder; needs [backups] folder",
    "backup_bucket": "reads backups from an S3-compatible bucket; needs [backups.bucket]",
    "admin_account": "logs in as the admin test account; needs [accounts.admin]",
    "partner_account": "logs in as the partner test account; needs [accounts.partner]",
    "metrics_auth": "reads the /metrics exposition: anonymously where [metrics] expect = "
    '"open" (the real app has no auth), else with [metrics] token or username',
    "prometheus": "reads a Prometheus server; needs [monitoring] prometheus_url",
    "perf_baseline": "compares with a stored perf baseline; needs [perf] baseline_file",
    "dns": "asks the app's DNS records; needs a host name public DNS answers, or [dns] resolver",
    "release": "compares the version the deployment reports with the expected release; needs "
    "--expect-release, [release] version or [release] checkout",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("facturino-verify", "Facturino post-deployment verification")
    group.addoption(
        "--env",
        dest="facturino_env",
        metavar="NAME",
        default=None,
        help="verify the deployment described by environments/NAME.toml",
    )
    group.addoption(
        "--env-file",
        dest="facturino_env_file",
        metavar="PATH",
        default=None,
        help="verify the deployment described by this environment file (instead of --env)",
    )
    group.addoption(
        "--reports-dir",
        dest="facturino_reports_dir",
        metavar="DIR",
        default="reports",
        help="where report.html and junit.xml are written (default: reports)",
    )
    group.addoption(
        "--history-file",
        dest="facturino_history_file",
        metavar="PATH",
        default=None,
        help="where daily/weekly runs append their figures (default: "
        "REPORTS_DIR/history-ENV.jsonl; none with --no-reports)",
    )
    group.addoption(
        "--expect-release",
        dest="facturino_expect_release",
        metavar="VERSION",
        default=None,
        help="the release the deployment must report (GET /api/v1/app/version), overriding "
        "[release] version and [release] checkout",
    )
    group.addoption(
        "--list-checks",
        dest="facturino_list_checks",
        action="store_true",
        default=False,
        help="list every selected check with its suite, severity, capabilities and, for the "
        "environment given, why it would not run; runs nothing, writes no report",
    )
    group.addoption(
        "--no-notify",
        dest="facturino_no_notify",
        action="store_true",
        default=False,
        help="send no [notify] message for this run (a location's run whose summaries "
        "`facturino-verify merge --env` combines: the merged verdict is sent once)",
    )
    group.addoption(
        "--no-reports",
        dest="facturino_no_reports",
        action="store_true",
        default=False,
        help="do not write the default HTML and JUnit reports",
    )


def register_markers(config: pytest.Config) -> None:
    for name, text in {**SUITE_MARKERS, **CAPABILITY_MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.addinivalue_line(
        "markers",
        "severity(level, scenario='bad_deployment'): critical / major / warning, overriding the "
        "default of the check (the environment's [severity] overrides both)",
    )


def informational(config: pytest.Config) -> bool:
    """A run that only describes the suite (``--markers``, ``--fixtures``, ``--collect-only``,
    ``--list-checks``): it needs no target, judges nothing and writes no report."""
    option = config.option
    return bool(
        getattr(option, "markers", False)
        or getattr(option, "showfixtures", False)
        or getattr(option, "show_fixtures_per_test", False)
        or getattr(option, "collectonly", False)
        or getattr(option, "facturino_list_checks", False)
    )


REPORTS_DIR = pytest.StashKey[Path]()


def reports_dir(config: pytest.Config) -> Path:
    """``--reports-dir`` resolved against the directory pytest was started in, once per run
    (every report, the history, perf results and browser artifacts go below it)."""
    if REPORTS_DIR not in config.stash:
        given = Path(config.option.facturino_reports_dir)
        resolved = given if given.is_absolute() else config.invocation_params.dir / given
        config.stash[REPORTS_DIR] = resolved
    return config.stash[REPORTS_DIR]
