"""Units of the runtime-configuration checks (issue 15): `printenv` parsing and masking, the
critical variables judged with the real app's fallbacks, the cross-checks with HSTS and the
debug headers, `about --only=cache --json`, the allow-list, `[variables]`/`[caches]`, and the
Railway CLI as the variables' source."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from facturino_verify.checks import CheckFailed
from facturino_verify.checks import variables as checks
from facturino_verify.checks.caches import expect_caches_built, parse_about_cache
from facturino_verify.clients import shell
from facturino_verify.config import Environment
from facturino_verify.config.variables import RUNBOOK_VARIABLES, Caches, Variables
from facturino_verify.runs.variables import expected_variables, variables_command

from .test_config_errors import assert_one_usage_error

SECRET = "s3cr3t-Value-that-must-never-show"
WANTED = "the-expected-secret-is-a-secret-too"
PRINTENV = f"""HOSTNAME=facturino_app
APP_ENV=production
APP_DEBUG=(false)
APP_KEY=base64:{SECRET}
DB_PASSWORD={SECRET}
DATABASE_URL=mysql://facturino:{SECRET}@db:3306/facturino
TELESCOPE_ENABLED=true
SESSION_SECURE_COOKIE=true
NLB_MTLS_CERT=-----BEGIN CERTIFICATE-----
MIIB{SECRET}
-----END CERTIFICATE-----
"""
# Laravel 12 `php artisan about --only=cache --json`, a deprecation warning printed first.
ABOUT_CACHE = (
    "PHP Deprecated:  something in vendor/ on line 3\n"
    '{"cache":{"config":false,"events":true,"routes":true,"views":true}}\n'
)


def failure(call: object) -> str:
    assert callable(call)
    with pytest.raises(CheckFailed) as raised:
        call()
    return str(raised.value)


def test_printenv_lines_are_parsed_with_multi_line_values() -> None:
    env = checks.parse_printenv(PRINTENV)
    assert env is not None
    assert env["APP_ENV"] == "production"
    assert env["NLB_MTLS_CERT"].endswith("-----END CERTIFICATE-----")
    assert env["TELESCOPE_ENABLED"] == "true"
    assert checks.parse_printenv("sh: 1: printenv: not found\n") is None


def test_laravel_reads_booleans_and_null_as_env_does() -> None:
    assert checks.laravel_value("(false)") == "false"
    assert checks.laravel_value("TRUE") == "true"
    assert checks.laravel_value("null") is None
    assert checks.laravel_value("(empty)") == ""
    assert checks.laravel_value("lax") == "lax"


def test_unset_variables_take_the_real_apps_fallback() -> None:
    assert checks.effective("APP_DEBUG", {}) == "false"
    assert checks.effective("TELESCOPE_ENABLED", {}) == "true"  # config/telescope.php:19
    assert checks.effective("FEATURE_MONITORING", {}) == "false"
    assert checks.effective("CACHE_STORE", {}) == "file"
    assert checks.effective("CACHE_STORE", {"CACHE_DRIVER": "redis"}) == "redis"
    assert checks.effective("QUEUE_CONNECTION", {"FEATURE_REDIS_QUEUES": "true"}) == "redis"
    assert checks.effective("SESSION_SECURE_COOKIE", {}) is None


def test_a_variable_with_its_value_or_a_safe_fallback_passes() -> None:
    env = checks.parse_printenv(PRINTENV)
    assert env is not None
    checks.expect_variable(env, "APP_DEBUG", "false", "the runbook", "fix")
    checks.expect_variable(env, "APP_ENV", "production", "the runbook", "fix")
    checks.expect_variable({}, "APP_DEBUG", "false", "the runbook", "fix")  # unset: false


def test_a_mismatch_names_the_variable_the_value_and_who_says_so() -> None:
    env = checks.parse_printenv(PRINTENV) or {}
    text = failure(
        lambda: checks.expect_variable(env, "TELESCOPE_ENABLED", "false", "the runbook", "fix")
    )
    assert "TELESCOPE_ENABLED=false" in text and "seen:     TELESCOPE_ENABLED=true" in text
    unset = failure(lambda: checks.expect_variable({}, "TELESCOPE_ENABLED", "false", "x", "fix"))
    assert "not set: the app falls back to true (config/telescope.php:19)" in unset


def test_a_secret_value_never_appears_in_any_failure_or_listing() -> None:
    env = checks.parse_printenv(PRINTENV) or {}
    texts = [
        failure(
            lambda name=name: checks.expect_variable(
                env, name, "other", "[variables] expected", "fix"
            )
        )
        for name in ("APP_KEY", "DB_PASSWORD", "DATABASE_URL")
    ]
    texts.append(checks.masked_listing(env, frozenset({"APP_KEY", "DB_PASSWORD", "APP_ENV"})))
    for text in texts:
        assert SECRET not in text
        assert WANTED not in text
    assert "APP_KEY set (value not shown" in texts[0]
    listing = texts[-1]
    assert "APP_ENV=production" in listing
    assert "NLB_MTLS_CERT" not in listing and "other variables, values not shown" in listing


def test_secret_looking_names() -> None:
    for name in (
        "APP_KEY",
        "DB_PASSWORD",
        "REDIS_PASSWORD",
        "RAILWAY_TOKEN",
        "SENTRY_DSN",
        "DATABASE_URL",
        "MYSQL_URL",
        "CPAY_SECRET_KEY",
        "PADDLE_API_KEY",
    ):
        assert checks.is_secret(name), name
    for name in ("APP_ENV", "APP_DEBUG", "SESSION_SECURE_COOKIE", "TELESCOPE_ENABLED", "APP_URL"):
        assert not checks.is_secret(name), name


def test_hsts_must_agree_with_app_env() -> None:
    hsts = "max-age=31536000; includeSubDomains"
    checks.expect_hsts_agrees_with_app_env("production", hsts, "fix")
    checks.expect_hsts_agrees_with_app_env("local", None, "fix")
    missing = failure(lambda: checks.expect_hsts_agrees_with_app_env("production", None, "fix"))
    assert "APP_ENV=production in the environment, but the login page has no" in missing
    extra = failure(lambda: checks.expect_hsts_agrees_with_app_env("staging", hsts, "fix"))
    assert "sends Strict-Transport-Security" in extra


def test_debug_headers_must_agree_with_app_debug() -> None:
    checks.expect_debug_headers_agree_with_app_debug("false", {}, "fix")
    checks.expect_debug_headers_agree_with_app_debug("true", {"X-Request-ID": "req_1"}, "fix")
    text = failure(
        lambda: checks.expect_debug_headers_agree_with_app_debug(
            "false", {"X-Execution-Time": "3ms"}, "fix"
        )
    )
    assert "APP_DEBUG=false in the environment, but responses carry X-Execution-Time" in text
    assert "X-Debug-Performance" in text


def test_about_cache_is_parsed_and_each_missing_cache_named_with_the_real_build() -> None:
    cache = parse_about_cache(ABOUT_CACHE)
    assert cache == {"config": False, "events": True, "routes": True, "views": True}
    expect_caches_built(cache, ("routes", "views", "events"), "", "fix")
    text = failure(lambda: expect_caches_built(cache, ("config", "routes", "views"), "", "fix"))
    assert "config: NOT cached" in text and "`php artisan config:clear`" in text
    assert "run `php artisan config:cache`" in text
    assert parse_about_cache('  ERROR  Command "about" is not defined.') is None
    unreadable = failure(lambda: expect_caches_built(None, ("config",), "ERROR", "fix"))
    assert '{"cache": {...}}' in unreadable


def test_printenv_and_about_cache_are_allowed_and_nothing_around_them() -> None:
    artisan = ("php", "artisan")
    assert shell.is_allowed(shell.printenv().argv, artisan)
    assert shell.is_allowed(shell.about_cache(artisan).argv, artisan)
    for argv in (
        ("printenv", "APP_KEY"),
        ("env",),
        ("php", "artisan", "about"),
        ("php", "artisan", "about", "--only=cache"),
        ("php", "artisan", "config:cache"),
    ):
        assert not shell.is_allowed(argv, artisan), argv


def test_variables_merge_over_the_runbook_and_ignore_drops_names() -> None:
    config = Variables(
        expected={"APP_DEBUG": "false", "SENTRY_ENVIRONMENT": "production"},
        ignore=("SESSION_LIFETIME",),
    )
    assert config.critical["SENTRY_ENVIRONMENT"] == "production"
    assert "SESSION_LIFETIME" not in config.critical
    assert set(Variables().critical) == set(RUNBOOK_VARIABLES)
    with pytest.raises(ValidationError):
        Variables(expected={"not a name": "x"})
    with pytest.raises(ValidationError):
        Caches(required=("configs",))  # type: ignore[arg-type]


def test_drivers_are_expected_where_the_environment_says_them() -> None:
    env = Environment.model_validate(
        {
            "target": {"url": "https://127.0.0.1:9"},
            "redis": {"host": "127.0.0.1", "cache_store": "redis", "session_driver": "database"},
            "queue": {"connection": "redis"},
        }
    )
    expected = expected_variables(env)
    assert expected["QUEUE_CONNECTION"].value == "redis"
    assert expected["QUEUE_CONNECTION"].said_by == "[queue] connection"
    assert expected["SESSION_DRIVER"].value == "database"
    assert expected["TELESCOPE_ENABLED"].said_by == "the runbook"
    bare = expected_variables(
        Environment.model_validate({"target": {"url": "https://127.0.0.1:9"}})
    )
    assert "CACHE_STORE" not in bare and bare["QUEUE_CONNECTION"].value == "database"


def test_a_shown_value_is_one_short_line_with_credential_shapes_masked() -> None:
    env = {"APP_ENV": f"staging\nrailway: token=Bearer {SECRET}"}
    text = failure(lambda: checks.expect_variable(env, "APP_ENV", "production", "x", "fix"))
    assert SECRET not in text
    assert "seen:     APP_ENV=staging" in text


def test_the_runbooks_session_secure_is_named_as_never_read() -> None:
    env = {"SESSION_SECURE": "true"}
    text = failure(
        lambda: checks.expect_variable(env, "SESSION_SECURE_COOKIE", "true", "the runbook", "fix")
    )
    assert "SESSION_SECURE_COOKIE not set: the app falls back to null" in text
    assert "SESSION_SECURE is set, the runbook's name, which the app never reads" in text


def test_railway_variables_is_allowed_with_its_names_and_nothing_else() -> None:
    artisan, cli = ("php", "artisan"), ("/opt/railway",)
    command = shell.railway_variables(cli, "facturino", "production")
    assert command.argv == (
        "/opt/railway",
        "variables",
        "--kv",
        "--service",
        "facturino",
        "--environment",
        "production",
    )
    assert not command.prefixed and command.label.startswith("railway variables --kv")
    assert shell.is_allowed(command.argv, artisan, cli)
    assert shell.is_allowed(shell.railway_variables(cli).argv, artisan, cli)
    for argv in (
        ("/opt/railway", "variables"),
        ("/opt/railway", "variables", "--kv", "--set", "APP_DEBUG=true"),
        ("/opt/railway", "run", "printenv"),
        ("/opt/railway", "up"),
        ("railway", "variables", "--kv"),  # not the configured CLI
    ):
        assert not shell.is_allowed(argv, artisan, cli), argv
    with pytest.raises(ValueError, match="is not a plain name"):
        shell.railway_variables(cli, "facturino; rm -rf /")


def test_railway_variables_run_without_the_prefix(tmp_path: Path) -> None:
    """The Railway CLI runs on this machine: `railway run railway variables` would be wrong,
    and an unconfigured prefix does not stop it."""
    cli = tmp_path / "railway"
    cli.write_text('#!/bin/sh\necho "ARGS=$*"\necho "TOKEN=$RAILWAY_TOKEN"\n', encoding="utf-8")
    cli.chmod(0o755)
    client = shell.ShellClient(
        (), ("php", "artisan"), 5.0, env={"RAILWAY_TOKEN": "t"}, railway=[str(cli)]
    )
    result = client.run(shell.railway_variables([str(cli)], "facturino"))
    assert result.stdout == "ARGS=variables --kv --service facturino\nTOKEN=t\n"
    with pytest.raises(shell.CommandUnavailable, match="no \\[shell\\] prefix"):
        client.run(shell.printenv())
    missing = shell.ShellClient((), ("php", "artisan"), 5.0, railway=["/nonexistent/railway"])
    with pytest.raises(shell.CommandUnavailable, match="check \\[variables\\] railway"):
        missing.run(shell.railway_variables(["/nonexistent/railway"]))


def test_variables_source_and_railway_names_are_validated() -> None:
    config = Variables(source="railway", railway_service="facturino", railway_environment="prod")
    assert config.railway == ("railway",)
    for bad in ({"source": "env"}, {"railway_service": "a b"}, {"railway": []}):
        with pytest.raises(ValidationError):
            Variables.model_validate(bad)


def test_the_command_follows_the_source() -> None:
    base = {"target": {"url": "https://127.0.0.1:9"}}
    env = Environment.model_validate(base)
    assert variables_command(env).argv == ("printenv",)
    env = Environment.model_validate(
        {**base, "variables": {"source": "railway", "railway": ["/opt/railway"]}}
    )
    assert variables_command(env).argv == ("/opt/railway", "variables", "--kv")


RAILWAY_MISSING = (
    "[variables] railway: '/nonexistent/railway' is not an executable program (source = "
    '"railway" runs `railway variables --kv` on this machine); install the Railway CLI (npm i '
    "-g @railway/cli) or name it by its full path, or read the variables with source = "
    '"printenv"'
)


@pytest.mark.parametrize("marker", ["daily", "variables"])
def test_a_railway_cli_that_is_not_there_is_a_usage_error(
    pytester: pytest.Pytester, marker: str
) -> None:
    env = pytester.path / "env.toml"
    env.write_text(
        '[target]\nurl = "https://facturino.example"\n\n[variables]\nsource = "railway"\n'
        'railway = ["/nonexistent/railway"]\n',
        encoding="utf-8",
    )
    pytester.makepyfile("def test_never_runs() -> None: pass")
    args = ("--env-file", env.name, "-p", "no:cacheprovider", "--no-reports")
    result = pytester.runpytest(*args, "-m", marker)
    assert_one_usage_error(result, f"{env.name} {RAILWAY_MISSING}")
    # A smoke gate reads no variables: it does not need the CLI.
    smoke = pytester.runpytest(*args, "-m", "smoke")
    assert smoke.ret != pytest.ExitCode.USAGE_ERROR, smoke.stdout.str()
