"""The release verdict: severities, the decision, the scenarios, the table, and the plugin's
exit codes, terminal block and summary.json (pytester, no deployment needed)."""

from __future__ import annotations

import json

import pytest

from facturino_verify.clients.errors import ConnectionRefused
from facturino_verify.clients.retry import RetryPolicy, with_retries
from facturino_verify.config import Environment
from facturino_verify.redact import Redactor
from facturino_verify.verdict import (
    EXIT_CODES,
    CheckResult,
    RollbackValues,
    decide,
    rollback_values,
    steps,
)
from facturino_verify.verdict.catalog import default_rule
from facturino_verify.verdict.table import fill

RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")


def check(name: str, outcome: str, severity: str = "major", **kw: object) -> CheckResult:
    rule = default_rule(name)
    return CheckResult(name, name, severity, rule.scenario, outcome, **kw)  # type: ignore[arg-type]


def test_all_passed_is_go() -> None:
    verdict = decide([check("a", "passed", "critical"), check("b", "passed")])
    assert (verdict.name, verdict.exit_code) == ("GO", 0)


def test_only_warnings_failed_is_degraded() -> None:
    verdict = decide([check("a", "passed", "critical"), check("w", "failed", "warning")])
    assert (verdict.name, verdict.exit_code) == ("DEGRADED", EXIT_CODES["DEGRADED"])


def test_not_judged_reason_names_the_gravest_first_and_counts_the_rest() -> None:
    unjudged = [check(f"m{i}", "not_judged", "major", message="throttled") for i in range(5)]
    sign_in = check("test_sign_in_succeeds", "not_judged", "critical", message="429")
    verdict = decide([check("a", "passed", "critical"), *unjudged, sign_in])
    assert verdict.name == "INCONCLUSIVE"
    assert verdict.reason == (
        "6 check(s) not judged (test_sign_in_succeeds, m0, m1, m2, m3 and 1 more): 429"
    )


def test_major_failure_blocks_without_rollback() -> None:
    verdict = decide([check("a", "passed", "critical"), check("m", "failed", "major")])
    assert (verdict.name, verdict.scenario) == ("BLOCKED", None)


def test_critical_failure_is_rollback_with_its_scenario() -> None:
    results = [check("test_no_migration_is_pending", "failed", "critical")]
    verdict = decide(results)
    assert (verdict.name, verdict.scenario) == ("ROLLBACK", "migration_failure")


def test_most_urgent_scenario_leads() -> None:
    results = [
        check("test_up_returns_200_application_up", "failed", "critical"),
        check("test_installer_page_redirects_away", "failed", "critical"),
    ]
    assert decide(results).scenario == "critical_bug"


def test_setup_error_counts_as_failure() -> None:
    assert decide([check("a", "error", "critical")]).name == "ROLLBACK"


def test_nothing_ran_is_inconclusive() -> None:
    verdict = decide([check("a", "deselected", "critical")])
    assert (verdict.name, verdict.exit_code) == ("INCONCLUSIVE", EXIT_CODES["INCONCLUSIVE"])
    assert decide([]).name == "INCONCLUSIVE"


def test_every_critical_skipped_is_inconclusive_even_if_others_passed() -> None:
    verdict = decide([check("c", "skipped", "critical"), check("m", "passed", "major")])
    assert verdict.name == "INCONCLUSIVE"
    assert "critical" in verdict.reason


def test_flaky_pass_fails_only_when_the_environment_says_so() -> None:
    results = [check("c", "passed", "critical", retries=2)]
    assert results[0].flaky
    assert decide(results).name == "GO"
    assert decide(results, flaky_is_failure=True).name == "ROLLBACK"
    assert decide(results).counts["critical"]["flaky"] == 1


def test_default_severities_follow_the_runbook() -> None:
    assert default_rule("test_no_debug_headers_on_ordinary_responses[up]").severity == "critical"
    assert default_rule("test_app_key_is_not_the_public_example").scenario == "critical_bug"
    assert default_rule("test_health_check_passes[paddle]").severity == "warning"
    assert default_rule("test_security_header_has_expected_value[X-Frame-Options]").severity == (
        "major"
    )


def test_scenarios_use_the_environments_commands() -> None:
    values = RollbackValues(
        run_prefix="ssh deploy@host docker exec facturino_app", redeploy="deploy.sh --previous"
    )
    assert (
        "ssh deploy@host docker exec facturino_app php artisan down"
        in steps("critical_bug", values)[0]
    )
    assert any("deploy.sh --previous" in s for s in steps("bad_deployment", values))
    assert "migrate:rollback --step=1" in steps("migration_failure", values)[1]


def test_the_redeploy_steps_name_the_release_to_go_back_to_when_known() -> None:
    known = RollbackValues(last_good="2.1.0 (the release gate's last GO run, 2026-12-05 10:00 UTC)")
    for scenario in ("bad_deployment", "critical_bug"):
        status = next(s for s in steps(scenario, known) if s.startswith("railway status"))
        assert status.endswith(
            "deployment: 2.1.0 (the release gate's last GO run, 2026-12-05 10:00 UTC)"
        )
    assert steps("bad_deployment", RollbackValues())[0].endswith("last known good deployment")
    env = Environment.model_validate(
        {"target": {"url": "https://127.0.0.1:9"}, "predeploy": {"last_good_release": "2.0.9"}}
    )
    assert rollback_values(env).last_good == "2.0.9 ([predeploy] last_good_release)"
    assert rollback_values(env, "").last_good == ""  # the run found none (e.g. it is 2.0.9)


@pytest.mark.parametrize(
    ("backup_file", "unpack"),
    [
        ("2026-12-06-02-00-00.zip", "unzip -p 2026-12-06-02-00-00.zip 'db-dumps/mysql-*' | gunzip"),
        ("mysql-facturino.sql.gz", "gunzip -c mysql-facturino.sql.gz |"),
        ("backup_YYYYMMDD_HHMMSS.sql", ""),
    ],
)
def test_migration_failure_restores_with_the_engines_own_tools(
    backup_file: str, unpack: str
) -> None:
    """Scenario 2 on MySQL (production's engine) names mysql and gunzip, never psql."""
    mysql = steps("migration_failure", RollbackValues(backup_file=backup_file, engine="mysql"))
    restore = mysql[0]
    assert restore.startswith(unpack) and "railway run sh -c 'MYSQL_PWD=" in restore
    assert ' mysql -h "$DB_HOST"' in restore and "pg_" not in restore
    assert "psql" not in restore.split("#")[0]  # the note names psql only as the runbook's
    assert Redactor()(restore) == restore  # `MYSQL_PWD="$DB_PASSWORD"` holds no credential
    if not unpack:
        assert f"< {backup_file}" in restore
    assert "migrate:rollback --step=1" in mysql[1]
    postgres = steps("migration_failure", RollbackValues(backup_file=backup_file))
    assert postgres[0] == f"railway run psql < {backup_file}    # restore from backup"


def test_verification_table_claims_each_check_once() -> None:
    results = [
        check("test_health_check_passes[bank_sync]", "failed"),
        check("test_partner_data_is_not_mocked[dashboard]", "passed"),
    ]
    results.append(check("test_restored_invoices_are_readable", "passed"))
    rows = {r.row.feature: r for r in fill(results)}
    assert rows["Backups"].result == "PASS"
    assert rows["Create Invoice"].result == "NOT RUN"
    assert rows["Application health"].result == "FAIL"
    assert rows["Banking"].result == "NOT RUN"
    assert rows["Partner"].result == "PASS"
    assert rows["Performance"].result == "NOT RUN"


def test_retries_only_network_errors_and_counts_them() -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefused("GET /up", "refused")
        return "ok"

    seen: list[str] = []
    policy = RetryPolicy(attempts=2, backoff_seconds=0)
    assert with_retries(flaky, policy, lambda e: seen.append(e.kind)) == "ok"
    assert seen == ["connection refused", "connection refused"]

    def wrong() -> None:
        raise AssertionError("a failed check is never retried")

    with pytest.raises(AssertionError):
        with_retries(wrong, policy, lambda e: seen.append("retried"))
    assert len(seen) == 2


def test_retries_stop_at_the_deadline() -> None:
    def down() -> None:
        raise ConnectionRefused("GET /up", "refused")

    seen: list[str] = []
    with pytest.raises(ConnectionRefused):
        with_retries(down, RetryPolicy(attempts=5, backoff_seconds=10, deadline=0.0), seen.append)
    assert seen == []


ENV = '[target]\nurl = "https://127.0.0.1:9"\n'


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makefile(".toml", env=ENV)
    pytester.makepyfile(test_checks=source)
    return pytester.runpytest("--env-file=env.toml", *RUN, *args)


def test_plugin_exit_code_and_summary_for_a_critical_failure(pytester: pytest.Pytester) -> None:
    result = run(pytester, "def test_up_answers():\n    assert False, 'down'\n")
    assert result.ret == EXIT_CODES["ROLLBACK"]
    result.stdout.fnmatch_lines(
        [
            "*release verdict: ROLLBACK*",
            "VERDICT: ROLLBACK (exit 12)*",
            "runbook Scenario 1: Bad Deployment*",
            "  railway status*",
        ]
    )
    assert result.outlines[-1].strip().startswith("railway rollback"), "the verdict is printed last"
    summary = json.loads((pytester.path / "reports" / "summary.json").read_text())
    assert summary["verdict"] == "ROLLBACK"
    assert summary["checks"][0]["severity"] == "critical"
    assert summary["counts"]["critical"]["ran"] == 1


def test_marker_and_environment_override_severity(pytester: pytest.Pytester) -> None:
    source = (
        "import pytest\n\n@pytest.mark.severity('warning')\ndef test_up_answers():\n"
        "    assert False\n\ndef test_other():\n    pass\n"
    )
    assert run(pytester, source).ret == EXIT_CODES["DEGRADED"]
    pytester.makefile(".toml", env=ENV + '[severity]\n"test_up_*" = "critical"\n')
    assert pytester.runpytest("--env-file=env.toml", *RUN).ret == EXIT_CODES["ROLLBACK"]


def test_zero_selected_checks_is_inconclusive(pytester: pytest.Pytester) -> None:
    result = run(pytester, "def test_up_answers():\n    pass\n", "-k", "nothing_matches")
    assert result.ret == EXIT_CODES["INCONCLUSIVE"]
    result.stdout.fnmatch_lines(["VERDICT: INCONCLUSIVE*no check ran*"])


def test_all_critical_skipped_is_inconclusive(pytester: pytest.Pytester) -> None:
    source = (
        "import pytest\n\ndef test_up_answers():\n    pytest.skip('no')\n\n"
        "def test_other():\n    pass\n"
    )
    result = run(pytester, source)
    assert result.ret == EXIT_CODES["INCONCLUSIVE"]
    result.stdout.fnmatch_lines(["VERDICT: INCONCLUSIVE*every critical check*"])


def test_flaky_check_is_marked_and_can_be_made_a_failure(pytester: pytest.Pytester) -> None:
    source = "def test_up_answers(record_property):\n    record_property('network_retries', 1)\n"
    result = run(pytester, source, "-v")
    result.stdout.fnmatch_lines(["*test_up_answers FLAKY*", "*flaky: passed only after*"])
    assert result.ret == 0
    pytester.makefile(".toml", env=ENV + "[retries]\nflaky_is_failure = true\n")
    strict = pytester.runpytest("--env-file=env.toml", *RUN)
    assert strict.ret == EXIT_CODES["ROLLBACK"]
    strict.stdout.fnmatch_lines(["*passed only after 1 network retry*"])


def test_html_report_opens_with_the_verdict_banner(pytester: pytest.Pytester) -> None:
    run(pytester, "def test_up_answers():\n    assert False\n")
    report = (pytester.path / "reports" / "report.html").read_text()
    banner = report.index("Release verdict: ROLLBACK")
    assert (
        banner < report.index("Post-deployment verification") < report.index('id="results-table"')
    )
    assert "railway rollback" in report


def test_an_aggregate_failure_takes_the_severity_of_its_cause() -> None:
    from facturino_verify.verdict.causes import CAUSED_BY, apply_causes

    health = check("test_health_returns_200", "failed", "critical")
    backup = check("test_health_check_passes[backup]", "failed", "major")
    health.properties[CAUSED_BY] = backup.name
    apply_causes([health, backup])
    assert (health.severity, health.properties["severity_from"]) == ("major", backup.name)
    assert decide([health, backup, check("test_up", "passed", "critical")]).name == "BLOCKED"

    database = check("test_health_check_passes[database]", "failed", "critical")
    healthy = check("test_health_status_is_healthy", "failed", "critical")
    healthy.properties[CAUSED_BY] = f"{backup.name},{database.name}"
    apply_causes([healthy, backup, database])
    assert healthy.severity == "critical", "the gravest cause leads"


def test_a_cause_that_did_not_run_counts_with_its_default_severity() -> None:
    from facturino_verify.verdict.causes import CAUSED_BY, apply_causes

    health = check("test_health_returns_200", "failed", "critical")
    health.properties[CAUSED_BY] = "test_health_check_passes[queues]"
    apply_causes([health])
    assert health.severity == "major"


def test_a_passing_aggregate_keeps_its_severity() -> None:
    from facturino_verify.verdict.causes import CAUSED_BY, apply_causes

    health = check("test_health_returns_200", "passed", "critical")
    health.properties[CAUSED_BY] = "test_health_check_passes[backup]"
    apply_causes([health])
    assert health.severity == "critical"


def test_summary_records_its_schema_location_and_each_checks_scenario(
    pytester: pytest.Pytester,
) -> None:
    """What `facturino-verify merge` needs of a run's summary (verdict/locations.py)."""
    pytester.makefile(".toml", env=ENV + '[run]\nlocation = "eu-central"\n')
    pytester.makepyfile(test_checks="def test_no_migration_is_pending():\n    assert False\n")
    assert pytester.runpytest("--env-file=env.toml", *RUN).ret == EXIT_CODES["ROLLBACK"]
    summary = json.loads((pytester.path / "reports" / "summary.json").read_text())
    assert (summary["schema"], summary["location"]) == (1, "eu-central")
    assert summary["checks"][0]["scenario"] == "migration_failure"


def test_a_release_check_without_an_expected_release_is_deselected_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    source = (
        "import pytest\n\n@pytest.mark.release\ndef test_deployment_reports_the_expected_release"
        "(expected_release):\n    assert expected_release.version == '2.1.1'\n\n"
        "def test_up_answers():\n    pass\n"
    )
    result = run(pytester, source)
    assert result.ret == EXIT_CODES["GO"]
    result.stdout.fnmatch_lines(["*release identity not judged: environment 'env' names no*"])
    given = pytester.runpytest("--env-file=env.toml", "--expect-release=2.1.1", *RUN)
    given.assert_outcomes(passed=2)
    wrong = pytester.runpytest("--env-file=env.toml", "--expect-release= 2.1.1", *RUN)
    assert wrong.ret == pytest.ExitCode.USAGE_ERROR
    wrong.stderr.fnmatch_lines(["ERROR: --expect-release: ' 2.1.1' is not a version*"])
