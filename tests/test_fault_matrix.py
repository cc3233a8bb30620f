"""The fault matrix: every smoke check is proven able to fail, and faults do not cross-talk.

The smoke suite runs as a whole process against a private reference deployment, once healthy and
once per fault. For each fault the set of failing checks must be exactly the expected one: the
mapped checks fail, every unrelated check still passes.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from facturino_reference.procs import port_in_use
from facturino_reference.state import ports_for
from facturino_verify.config.model import HEALTH_CHECKS
from facturino_verify.verdict import EXIT_CODES

from .reference_runs import BIN, ROOT, SuiteRun, port_bases, reference, run_suite

pytestmark = pytest.mark.fault_matrix

HEALTH_ENDPOINT = {"test_health_returns_200", "test_health_status_is_healthy"}
HEALTH_JSON = {
    "test_health_reports_expected_environment",
    *(f"test_health_check_passes[{name}]" for name in HEALTH_CHECKS),
}
SECURITY_HEADERS = {
    f"test_security_header_has_expected_value[{h}]"
    for h in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
    )
}
SESSION_COOKIE = {
    "test_session_cookie_has_expected_name",
    "test_session_cookie_secure_flag",
    "test_session_cookie_http_only_flag",
    "test_session_cookie_same_site",
}
# Everything read from the login page: the shell, its build files, the form Chromium renders,
# cookies, the APP_KEY probe.
LOGIN_SHELL = "test_login_page_serves_the_spa_shell"
LOGIN_BUNDLE = "test_login_page_js_bundle_is_served"
LOGIN_FORM = "test_login_page_shows_login_form"
LOGIN_PAGE = {
    LOGIN_SHELL,
    LOGIN_BUNDLE,
    LOGIN_FORM,
    "test_xsrf_cookie_is_readable_by_the_spa",
    "test_app_key_is_not_the_public_example",
    *SESSION_COOKIE,
}
METRICS = {
    "test_metrics_anonymous_access_matches_expectation",
    "test_metrics_exposition_has_expected_families",
}
SIGN_IN = {"test_sign_in_as_admin_succeeds", "test_sign_in_as_partner_succeeds"}
# Asked in the accounts' sessions: not judged whenever that account's sign-in failed (refused,
# throttled, or the app not there to ask); the sign-in check carries the failure and its cause.
SESSION_OF = {
    "test_sign_in_as_admin_succeeds": {
        "test_feature_flags_match_expected_matrix",
        "test_metrics_route_agrees_with_monitoring_flag",
    },
    "test_sign_in_as_partner_succeeds": {
        "test_partner_data_is_not_mocked[dashboard]",
        "test_partner_data_is_not_mocked[commissions]",
    },
}
SESSION_CHECKS = set().union(*SESSION_OF.values())


def not_judged_under(expected: set[str]) -> set[str]:
    """The session checks a run with these failures cannot judge: those of a failed sign-in."""
    return set().union(*(SESSION_OF[sign_in] for sign_in in SIGN_IN & expected))


LOGGED_IN = SIGN_IN | SESSION_CHECKS
DEBUG_PATHS = {
    f"test_debug_endpoint_is_not_served[{p}]"
    for p in ("/_ignition/health-check", "/_debugbar/open", "/telescope")
}
PRIVATE_PATHS = {
    f"test_private_file_is_not_served[{p}]"
    for p in ("/.env", "/.git/config", "/storage/logs/laravel.log")
}
# The queue checks read the app's queue connection, named in their id (the reference's
# default is the image's baked `database`).
STUCK = "test_no_job_reserved_for_more_than_10_minutes[database]"
PENDING = "test_pending_jobs_below_threshold[database]"
ONLY_ON = "test_jobs_are_only_on_the_configured_queue_connection"
CERTIFICATES = "test_company_certificates_do_not_expire_within_30_days"
BANK_SYNC = "test_bank_sync_jobs_are_not_failing"
DATABASE = {
    "test_database_answers_select_1",
    "test_newest_expected_migration_has_run",
    "test_no_migration_is_pending",
    STUCK,
    PENDING,
    "test_failed_jobs_last_hour_below_threshold",
    ONLY_ON,
    CERTIFICATES,
    BANK_SYNC,
}
# Redis keys the app wrote: on a fresh deployment only the run's own requests write them, so
# a run whose requests never reach the app finds none (as it should: the app wrote nothing).
APP_KEYS = "test_redis_holds_keys_the_app_wrote"
REDIS = {
    "test_redis_answers_ping",
    "test_redis_round_trips_the_runners_own_key",
    APP_KEYS,
}
# The runbook's Domain Configuration, asked of the deployment's own DNS server: DNS is not the
# app, so no fault that breaks the app trips these (only the faults aimed at the zone do).
DNS_A = "test_dns_app_host_has_a_record"
DNS_CNAME = "test_dns_cname_points_at_the_app[www.localhost]"
DNS = {DNS_A, DNS_CNAME}
ISSUER = "test_certificate_is_issued_by_expected_ca"
# GET /api/v1/app/version: version.md, and the updater channel setting (cache, then database).
RELEASE = "test_deployment_reports_the_expected_release"
# Every check that talks to the app over HTTPS (all but the plain-HTTP redirect).
HTTPS_APP = {
    "test_up_returns_200_application_up",
    "test_up_is_not_in_maintenance_mode",
    *HEALTH_ENDPOINT,
    *HEALTH_JSON,
    *LOGIN_PAGE,
    *SECURITY_HEADERS,
    "test_hsts_matches_app_env",
    *LOGGED_IN,
    *DEBUG_PATHS,
    *PRIVATE_PATHS,
    "test_json_error_carries_no_exception_trace",
    "test_no_debug_headers_on_ordinary_responses[ping]",
    "test_no_debug_headers_on_ordinary_responses[up]",
    "test_installer_page_redirects_away",
    "test_installer_api_is_not_served",
    *METRICS,
    "test_certificate_is_valid_for_host",
    "test_certificate_does_not_expire_soon",
    ISSUER,
    RELEASE,
}
UNREACHABLE = HTTPS_APP | {"test_http_redirects_to_https"}
HEALTH_503 = HEALTH_ENDPOINT
# The 503 maintenance page: no JSON, no cookies, no security headers; TLS and the redirect are fine.
MAINTENANCE = HTTPS_APP - {
    "test_certificate_is_valid_for_host",
    "test_certificate_does_not_expire_soon",
    ISSUER,
    "test_no_debug_headers_on_ordinary_responses[ping]",
    "test_no_debug_headers_on_ordinary_responses[up]",
    *PRIVATE_PATHS,  # the maintenance page is not a private file
}

EXPECTED_FAILURES: dict[str, set[str]] = {
    "app_down": UNREACHABLE | {APP_KEYS},
    "hung": UNREACHABLE | {APP_KEYS},
    "up_500": {"test_up_returns_200_application_up"},
    "maintenance_mode": MAINTENANCE | {APP_KEYS},
    "debug_mode": {
        "test_no_debug_headers_on_ordinary_responses[ping]",
        "test_no_debug_headers_on_ordinary_responses[up]",
        "test_json_error_carries_no_exception_trace",
        "test_debug_endpoint_is_not_served[/_ignition/health-check]",
    },
    # APP_DEBUG stays false; X-Debug-Performance on every request makes the middleware add
    # its headers anyway (nothing else of debug mode: no traces, no Ignition).
    "debug_headers_forced": {
        "test_no_debug_headers_on_ordinary_responses[ping]",
        "test_no_debug_headers_on_ordinary_responses[up]",
    },
    # Sessions live in Redis, so /health still answers (503: database, queues, bank_sync and
    # certificates false); the login page, the installer gate and logins need the database,
    # and the metrics controller's first query fails: 500 '# Error collecting metrics'.
    "db_down": DATABASE
    | HEALTH_ENDPOINT
    | LOGIN_PAGE
    | LOGGED_IN
    | METRICS
    | {
        "test_health_check_passes[database]",
        "test_health_check_passes[queues]",
        "test_health_check_passes[bank_sync]",
        "test_health_check_passes[certificates]",
        "test_installer_page_redirects_away",
        "test_installer_api_is_not_served",
        RELEASE,  # the channel setting is not cached yet: its query fails, 500
    },
    # Every web-group route needs the Redis session store: 500. /up and /api/ping stay up; the
    # version's channel setting is read through the Redis cache store: 500.
    "redis_down": REDIS
    | {ONLY_ON, RELEASE}
    | HEALTH_ENDPOINT
    | HEALTH_JSON
    | LOGIN_PAGE
    | LOGGED_IN
    | METRICS
    | {"test_installer_page_redirects_away"},
    "migrations_pending": {
        "test_newest_expected_migration_has_run",
        "test_no_migration_is_pending",
    },
    # An older migration (non-standard name, not in the old 25-name manifest) never ran: only
    # the full manifest of the release's 442 migrations sees it; the newest still ran.
    "older_migration_pending": {"test_no_migration_is_pending"},
    "no_hsts": {"test_hsts_matches_app_env"},
    "insecure_session_cookie": {
        "test_session_cookie_secure_flag",
        "test_session_cookie_http_only_flag",
    },
    # The session cookie is invoiceshelf_session, so every check of facturino_session fails.
    "baked_env_defaults": SESSION_COOKIE
    | {"test_health_reports_expected_environment", "test_hsts_matches_app_env"},
    "default_app_key": {"test_app_key_is_not_the_public_example"},
    # /login redirects to /installation: the same shell (its build is served), which draws the
    # installer, not the login form.
    "installer_open": {
        "test_installer_page_redirects_away",
        "test_installer_api_is_not_served",
        LOGIN_SHELL,
        LOGIN_FORM,
    },
    # FEATURE_MONITORING=false while Settings still shows the flag on: /metrics 403 "Feature
    # not available" although bootstrap says monitoring is on.
    "monitoring_disabled": METRICS | {"test_metrics_route_agrees_with_monitoring_flag"},
    # nginx serves a copy of .env from public/ (its body, secrets and all, is the evidence).
    "env_file_public": {"test_private_file_is_not_served[/.env]"},
    # 150 payloads waiting in Redis while the app queues in the database (issue 5's fault).
    "redis_queue_over_max": {ONLY_ON},
    "partner_mocked_data": {
        "test_partner_data_is_not_mocked[dashboard]",
        "test_partner_data_is_not_mocked[commissions]",
    },
    "feature_flag_drift": {"test_feature_flags_match_expected_matrix"},
    "queue_stuck": HEALTH_ENDPOINT | {"test_health_check_passes[queues]", STUCK},
    # 150 failed bank syncs: /health's queues and (fixed) bank_sync, and their database checks.
    "failed_jobs_spike": HEALTH_ENDPOINT
    | {
        "test_health_check_passes[queues]",
        "test_health_check_passes[bank_sync]",
        "test_failed_jobs_last_hour_below_threshold",
        BANK_SYNC,
    },
    "tls_expiring": {"test_certificate_does_not_expire_soon"},
    "no_https_redirect": {"test_http_redirects_to_https"},
    # The entry chunk 404s: the shell still answers, the SPA never starts, no form is drawn.
    "login_assets_missing": {LOGIN_BUNDLE, LOGIN_FORM},
    "health_degraded": HEALTH_ENDPOINT | {"test_health_check_passes[backup]"},
    # The previous build still serves: version.md says 2.1.0, the environment expects 2.1.1.
    "stale_release": {RELEASE},
    # More than [thresholds] pending_jobs_max jobs waiting (issue 4's fault; the worker is paused).
    "queue_backlog": {PENDING},
    # /metrics answers 500 "# Error collecting metrics" (a query of the controller fails).
    "metrics_broken": METRICS,
    # A certificate for another host: every verified HTTPS request fails the handshake.
    # (The lifetime and issuer checks still read the certificate, unverified, and pass.)
    "tls_wrong_host": (HTTPS_APP - {"test_certificate_does_not_expire_soon", ISSUER}) | {APP_KEYS},
    # Trusted, for the right host, but from another CA than [expect.tls] issuer_organization.
    "unexpected_issuer": {ISSUER},
    # The zone's www CNAME points at an old host; the app, reached by its address, is fine.
    "wrong_cname": {DNS_CNAME},
    # The zone lost the app host's A record: NXDOMAIN from the deployment's DNS server.
    "dns_a_missing": {DNS_A},
    # /health's five sub-checks the real controller cannot fail, failing in the fixed one
    # (the default profile), each with the database check that judges the same where there is.
    "signer_cert_missing": HEALTH_503 | {"test_health_check_passes[signer]"},
    "company_certificate_expiring": HEALTH_503
    | {"test_health_check_passes[certificates]", CERTIFICATES},
    "bank_sync_failing": HEALTH_503 | {"test_health_check_passes[bank_sync]", BANK_SYNC},
    "paddle_unusable": HEALTH_503 | {"test_health_check_passes[paddle]"},
    # The app queues on Redis (the queue checks read it: [redis] ids), in a DB Redis lacks;
    # /metrics cannot count that queue either (500 '# Error collecting metrics').
    "redis_queue_db_invalid": HEALTH_503 | METRICS | {"test_health_check_passes[redis]"},
    # Cache and sessions on the baked database drivers: nothing of the app's in Redis.
    "baked_cache_drivers": {APP_KEYS},
}
# The same fault seen by an environment that does not verify TLS for its HTTP checks
# ([target] verify_tls = false): only the certificate check, which always verifies, fails.
UNVERIFIED = {"FACTURINO_VERIFY__TARGET__VERIFY_TLS": "false"}
UNVERIFIED_WRONG_HOST_FAILURES = {"test_certificate_is_valid_for_host"}
# Port bases 2000-15000 (tests/README.md), clear of this machine's own service ports: there are
# fewer than cases, so each case takes one that is free, chosen and bound under a lock.
BASES = port_bases(2000, 15000)
PORT_LOCK = Path(tempfile.gettempdir()) / "facturino-verify-smoke-matrix-ports.lock"


def _free_base(wait: float = 300.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        for base in BASES:
            if not any(port_in_use(port) for port in ports_for(base).values()):
                return base
        if time.monotonic() > deadline:
            raise RuntimeError("no free port base in 2000-14999")
        time.sleep(0.5)


@contextmanager
def reference_on_a_free_base(faults: list[str], extra: tuple[str, ...] = ()) -> Iterator[Path]:
    with ExitStack() as stack:
        with PORT_LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            home = stack.enter_context(reference(_free_base(), faults, extra))
        yield home


def smoke_with(
    fault: str | None, overrides: dict[str, str] | None = None, extra: tuple[str, ...] = ()
) -> SuiteRun:
    with reference_on_a_free_base([fault] if fault else [], extra) as home:
        return run_suite(home, overrides=overrides)


def test_healthy_reference_deployment_passes_every_smoke_check() -> None:
    run = smoke_with(None)
    assert run.exit_code == 0, run.output[-3000:]
    assert run.named("failed") | run.named("error") == set()
    assert run.named("skipped") == set(), "a skipped check proves nothing"
    everything = UNREACHABLE | DATABASE | REDIS | DNS
    assert set(run.outcomes) >= everything, "the matrix names unknown checks"
    assert set(run.outcomes) <= everything, (
        f"a smoke check is missing from the fault matrix: {sorted(set(run.outcomes) - everything)}"
    )
    recorded = run.properties["test_database_answers_select_1"]
    assert recorded["database_engine"] == "postgresql", recorded
    assert recorded["database_server_version"].startswith("15"), recorded  # SHOW server_version


# A target that refuses or hangs must still give a verdict quickly: bounded by the timeouts and
# the run budget, not by the number of checks (issue: under 5 s for app_down, under 30 s for
# hung). Measured as pytest's session time, so a loaded machine's slow interpreter start-up does
# not count; the whole-process times are in the benchmarks.
TIME_BOUNDS = {"app_down": 5.0, "hung": 30.0}


# The verdict follows the cause: /health answering 503 because of a major sub-check (queues,
# backup) blocks the release; redeploying the last one would fix none of them.
# /health answers 503 only because of named subsystems: the verdict is theirs (verdict/causes.py),
# never ROLLBACK. Redeploying the last release fixes none of these.
VERDICT_BY_CAUSE = {
    "health_degraded": "BLOCKED",
    "queue_stuck": "BLOCKED",
    "failed_jobs_spike": "BLOCKED",
    "paddle_unusable": "DEGRADED",  # payments' /health check is a warning (verdict/catalog.py)
    # A trusted certificate from another CA, and a wrong www alias: reported, not blocking.
    "unexpected_issuer": "DEGRADED",
    "wrong_cname": "DEGRADED",
    # The app's name does not resolve: blocked, and a rollback would not bring the record back.
    "dns_a_missing": "BLOCKED",
}


@pytest.mark.parametrize("fault", sorted(EXPECTED_FAILURES))
def test_fault_fails_exactly_its_checks(fault: str) -> None:
    run = smoke_with(fault)
    failing = run.named("failed") | run.named("error")
    not_judged = not_judged_under(EXPECTED_FAILURES[fault])
    expected = EXPECTED_FAILURES[fault] - not_judged
    verdicts = {EXIT_CODES["BLOCKED"], EXIT_CODES["ROLLBACK"]}
    if fault in VERDICT_BY_CAUSE:
        verdicts = {EXIT_CODES[VERDICT_BY_CAUSE[fault]]}  # type: ignore[index]
    assert run.exit_code in verdicts, run.output[-3000:]
    if fault in VERDICT_BY_CAUSE:
        assert "redeploy the last" not in run.output.split("release verdict")[-1]
    assert failing == expected, (
        f"missed (should fail): {sorted(expected - failing)}; "
        f"cross-talk (should pass): {sorted(failing - expected)}"
    )
    assert run.named("skipped") == not_judged, "only a failed sign-in's checks go unjudged"
    if fault in TIME_BOUNDS:
        took = run.session_seconds
        assert 0 < took < TIME_BOUNDS[fault], f"{fault}: the session took {took:.1f} s"


def test_wrong_host_certificate_fails_only_the_certificate_check_without_verification() -> None:
    run = smoke_with("tls_wrong_host", UNVERIFIED)
    assert run.named("failed") | run.named("error") == UNVERIFIED_WRONG_HOST_FAILURES


def test_every_smoke_check_is_tripped_by_a_specific_fault() -> None:
    """Unreachability trips everything at once; each check (test function) must also be tripped
    by a fault aimed at what it checks. One parameter of a parametrized check is enough: the
    parameters share the check's logic (the unit tests cover each value)."""
    broad = ("app_down", "hung", "tls_wrong_host")
    specific = set().union(*(v for k, v in EXPECTED_FAILURES.items() if k not in broad))
    functions = {name.split("[")[0] for name in UNREACHABLE | DATABASE | REDIS | DNS}
    specific |= UNVERIFIED_WRONG_HOST_FAILURES
    proven = {name.split("[")[0] for name in specific}
    assert sorted(functions - proven) == []


# A sign-in the app refuses: its own check fails naming whose credentials and the answer, and
# the checks needing that session are not judged (no remedy about the build or cookies).
REFUSED_SIGN_IN = {
    # The admin's stored hash is for another password: 422 for the admin, the partner fine.
    "login_broken": (
        {"test_sign_in_as_admin_succeeds"},
        {
            "test_feature_flags_match_expected_matrix",
            "test_metrics_route_agrees_with_monitoring_flag",
        },
    ),
    # Cookies for another domain: every sign-in answers 419 CSRF token mismatch.
    "csrf_misconfigured": (SIGN_IN, SESSION_CHECKS),
}


@pytest.mark.parametrize("fault", sorted(REFUSED_SIGN_IN))
def test_a_refused_sign_in_is_named_and_its_session_checks_are_not_judged(fault: str) -> None:
    run = smoke_with(fault)
    failing, not_judged = REFUSED_SIGN_IN[fault]
    assert run.named("failed") | run.named("error") == failing, run.output[-3000:]
    assert run.named("skipped") == not_judged, run.output[-3000:]
    assert run.exit_code == EXIT_CODES["ROLLBACK"]
    assert "the suite signs in as admin@facturino.test ([accounts.admin])" in run.output
    assert "npm run build" not in run.output


# The app queues on Redis (`--queue-connection redis`, the runbook's QUEUE_CONNECTION): the queue
# checks read Redis ([redis] ids) and jobs in the jobs table are the failure of their own.
ON_REDIS = {
    "healthy": set(),
    # A payload popped 15 minutes ago and never finished (queues:default:reserved).
    "queue_stuck": {"test_no_job_reserved_for_more_than_10_minutes[redis]"},
    # 1500 payloads waiting on a paused redis:default.
    "queue_backlog": {"test_pending_jobs_below_threshold[redis]"},
    # 150 rows in the jobs table while the app queues on Redis.
    "queue_over_max": {ONLY_ON},
}


@pytest.mark.parametrize("fault", sorted(ON_REDIS))
def test_queue_checks_read_redis_where_the_app_queues_there(fault: str) -> None:
    run = smoke_with(None if fault == "healthy" else fault, extra=("--queue-connection", "redis"))
    failing = run.named("failed") | run.named("error")
    assert failing == ON_REDIS[fault], run.output[-3000:]
    assert run.named("skipped") == set()
    queue_checks = {name for name in run.outcomes if name.startswith(("test_no_job", "test_pend"))}
    assert queue_checks == {
        "test_no_job_reserved_for_more_than_10_minutes[redis]",
        "test_pending_jobs_below_threshold[redis]",
    }


# Root cause first: each of these is one cause, named once with its own remedy; the failures it
# explains are listed under it and their own (misleading) remedies are printed nowhere.
ROOT_CAUSES = {
    "db_down": ("test_database_answers_select_1", "database unreachable"),
    "redis_down": ("test_redis_answers_ping", "Redis unreachable"),
    "app_down": ("test_up_returns_200_application_up", "bad deployment: redeploy"),
    "hung": ("test_up_returns_200_application_up", "bad deployment: redeploy"),
    "login_broken": ("test_sign_in_as_admin_succeeds", "[accounts.admin] password is right"),
}
MISLEADING = ("SESSION_SECURE_COOKIE", "npm run build", "certificate problem", "security headers")


@pytest.mark.parametrize("fault", sorted(ROOT_CAUSES))
def test_one_root_cause_is_named_with_its_remedy_and_no_wrong_remedy(fault: str) -> None:
    check, remedy = ROOT_CAUSES[fault]
    with reference_on_a_free_base([fault]) as home:
        run = run_suite(home, reports_dir=home / "reports")
        summary = json.loads((home / "reports" / "summary.json").read_text())
        report = (home / "reports" / "report.html").read_text()
    causes = [line for line in run.output.splitlines() if line.startswith("ROOT CAUSE:")]
    assert len(causes) == 1 and causes[0].endswith(f"({check})"), run.output[-3000:]
    # In the root's own failure and in its ROOT CAUSE block; in no dependent's.
    assert run.output.count(remedy) == 2, "the cause's remedy, under the cause only"
    for wrong in MISLEADING:
        assert wrong not in run.output, f"{fault}: '{wrong}' printed"
        assert wrong not in report, f"{fault}: '{wrong}' in the HTML report"
    (cause,) = summary["root_causes"]
    explained = set(cause["dependents"])
    failing = run.named("failed") | run.named("error")
    assert failing - explained == {check}, "every other failure is explained by it"
    assert all(c["remedy"] == "" for c in summary["checks"] if c["caused_by"])
    assert run.exit_code == EXIT_CODES["ROLLBACK"], "the verdict is unchanged"


def test_under_ci_the_untruncated_summary_gives_the_remedy_under_the_cause_only() -> None:
    """CI=true makes pytest print each failure's whole message: still no dependent's remedy."""
    check, remedy = ROOT_CAUSES["redis_down"]
    with reference_on_a_free_base(["redis_down"]) as home:
        run = run_suite(home, overrides={"CI": "true"})
    entries = short_summary_entries(run.output)
    assert len(entries) > 1, run.output[-3000:]
    with_remedy = {name for name, text in entries.items() if remedy in text}
    assert with_remedy == {f"tests_smoke/test_redis.py::{check}"}, entries
    dependents = [text for name, text in entries.items() if name not in with_remedy]
    assert all(f"caused by {check}" in text for text in dependents), entries


def short_summary_entries(output: str) -> dict[str, str]:
    """The 'short test summary info' section: each FAILED/ERROR node id with its whole text."""
    section = output.split("short test summary info", 1)[1].splitlines()[1:]
    entries: dict[str, str] = {}
    name = ""
    for line in section:
        if line.startswith("="):
            break
        if line.startswith(("FAILED ", "ERROR ")):
            name = line.split(" ", 1)[1].split(" - ", 1)[0]
        entries[name] = entries.get(name, "") + line + "\n"
    return entries


# The core install (`pip install facturino-verify`) holds none of the extras' modules and no
# entry point of their pytest plugins: here the path finder does not see them (pytest's own
# assertion-rewriting finder asks it too) and their plugins are not loaded.
NOT_INSTALLED_FINDER = """
import importlib.machinery

EXTRAS = {"lxml", "signxml", "pypdf", "hashids", "boto3", "pytest_playwright",
          "pytest_benchmark", "pytest_base_url"}
_find_spec = importlib.machinery.PathFinder.find_spec


def find_spec(cls, name, path=None, target=None):
    if name.partition(".")[0] in EXTRAS:
        return None
    return _find_spec(name, path, target)


importlib.machinery.PathFinder.find_spec = classmethod(find_spec)
"""
EXTRAS_PLUGINS = ("-p", "no:playwright", "-p", "no:benchmark", "-p", "no:base_url")


def core_install_only(folder: Path) -> dict[str, str]:
    (folder / "sitecustomize.py").write_text(NOT_INSTALLED_FINDER)
    return {"PYTHONPATH": str(folder)}


def test_the_smoke_gate_needs_only_the_core_install(tmp_path: Path) -> None:
    with reference_on_a_free_base([]) as home:
        core = run_suite(home, "smoke", *EXTRAS_PLUGINS, overrides=core_install_only(tmp_path))
        full = run_suite(home, "smoke")
    assert core.exit_code == EXIT_CODES["GO"], core.output[-3000:]
    assert core.outcomes == full.outcomes, "the same checks, with the same outcomes"


@pytest.mark.parametrize(("marker", "extra"), [("features", "features"), ("perf", "perf")])
def test_a_suite_whose_extra_is_missing_is_refused_with_the_pip_command(
    tmp_path: Path, marker: str, extra: str
) -> None:
    env = {**os.environ, **core_install_only(tmp_path)}
    target = tmp_path / "env.toml"
    target.write_text('[target]\nurl = "http://127.0.0.1:9"\n')
    done = subprocess.run(
        [str(BIN / "pytest"), "-m", marker, f"--env-file={target}", *EXTRAS_PLUGINS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 4, done.stdout + done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.strip()]
    assert line.startswith(f"ERROR: the {marker} suite needs the '{extra}' extra"), line
    assert f"pip install 'facturino-verify[{extra}]'" in line


def test_a_missing_table_is_reported_as_a_schema_problem_with_the_migrations_remedy() -> None:
    """The database answers, but failed_jobs is gone: not 'could not ask the deployment'."""
    with reference_on_a_free_base([]) as home:
        psql = ["runuser", "-u", "postgres", "--", "psql", "-h", str(home / "pgdata")]
        dropped = subprocess.run(
            [
                *psql,
                "-p",
                str(ports_for_home(home)),
                "-d",
                "facturino",
                "-c",
                "DROP TABLE failed_jobs",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert dropped.returncode == 0, dropped.stderr
        run = run_suite(home, reports_dir=home / "reports")
        summary = json.loads((home / "reports" / "summary.json").read_text())
    checks = {c["name"]: c for c in summary["checks"]}
    stuck = checks["test_failed_jobs_last_hour_below_threshold"]
    assert stuck["message"].startswith("the database has the tables the release needs")
    assert 'schema problem: relation "failed_jobs" does not exist' in stuck["seen"]
    assert checks["test_database_answers_select_1"]["outcome"] == "passed", run.output[-2000:]
    assert "migrate:status" in run.output and "database unreachable" not in run.output


def ports_for_home(home: Path) -> int:
    """The reference's PostgreSQL port, as its environment file says."""
    text = (home / "environment.toml").read_text()
    section = text[text.index("[database]") :]
    return int(section.split("port = ", 1)[1].split()[0])


def test_a_rollback_names_the_last_release_a_go_gate_verified(tmp_path: Path) -> None:
    """The history holds two GO gates: an older release, and the one being judged now (served
    before, redeployed). The runbook's steps name the older: going back to the release that
    fails now changes nothing. The same words in the terminal and in summary.json. (No
    `last_good_release` in the file: a configured one would be named first.)"""
    with reference_on_a_free_base(["stale_release", "no_last_good_deployment"]) as home:
        judged = tomllib.loads((home / "environment.toml").read_text())["release"]["version"]
        history = tmp_path / "history.jsonl"
        lines = [("2026-12-04T09:00:00+00:00", "2.0.9"), ("2026-12-05T09:00:00+00:00", judged)]
        history.write_text(
            "".join(
                json.dumps({"at": at, "verdict": "GO", "state": {"release_verified": version}})
                + "\n"
                for at, version in lines
            )
        )
        run = run_suite(home, "smoke", f"--history-file={history}", reports_dir=home / "reports")
        summary = json.loads((home / "reports" / "summary.json").read_text())
    assert run.exit_code == EXIT_CODES["ROLLBACK"], run.output[-3000:]
    named = "find the last known good deployment: 2.0.9 (the release gate's last GO run, "
    assert named + "2026-12-04 09:00 UTC)" in run.output
    assert any(
        step.endswith(named + "2026-12-04 09:00 UTC)") for step in summary["scenario"]["steps"]
    )
    # This run verified no release (its release check failed) and measured nothing: no line.
    assert len(history.read_text().splitlines()) == len(lines)
