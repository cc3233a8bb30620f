"""The pre-deployment checklist's parts without a deployment: the rehearsal's configuration
(refused before collection, exit 4), its runner (an environment of its own, a timeout) and the
pure checks over Laravel's migrate output. The whole run: test_fault_matrix_predeploy.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from facturino_verify.checks import CheckFailed
from facturino_verify.checks import predeploy as checks
from facturino_verify.checks.artisan import MigrationState
from facturino_verify.clients.migrate import MigrationRunner
from facturino_verify.runs.history import RELEASE_VERIFIED, last_good_release

from .test_config_errors import assert_one_usage_error

PRETEND = """
   INFO  Running migrations.

  2026_12_01_000001_add_internal_note_to_invoices_table ...............................
  ⇂ alter table "invoices" add column "internal_note" text null
  2026_12_01_000002_create_release_notes_table ........................................
  ⇂ create table "release_notes" ("id" bigserial not null primary key)
  ⇂ create index "release_notes_version_index" on "release_notes" ("version")
"""
MIGRATED = """
   INFO  Running migrations.

  2026_12_01_000001_add_internal_note_to_invoices_table ................ 3.21ms DONE
  2026_12_02_000001_add_approved_at_index_to_invoices_table ............ 1.02ms FAIL

   Illuminate\\Database\\QueryException

  SQLSTATE[42703]: Undefined column: 7 ERROR:  column "approved_at" does not exist
"""
TARGET = '[target]\nurl = "https://facturino.example"\n'


def test_pretend_output_gives_each_migration_and_its_statements() -> None:
    pretended = checks.parse_pretend(PRETEND)
    assert [(p.name[:17], p.statements) for p in pretended] == [
        ("2026_12_01_000001", 1),
        ("2026_12_01_000002", 2),
    ]
    assert checks.described(pretended).startswith("2 migration(s), 3 statement(s): ")
    checks.expect_pretend_lists(0, pretended, PRETEND)
    checks.expect_pretend_lists(0, [], "\n   INFO  Nothing to migrate.\n")


def test_pretend_that_fails_or_lists_nothing_fails() -> None:
    with pytest.raises(CheckFailed, match="exit 255: ParseError"):
        checks.expect_pretend_lists(255, [], "ParseError syntax error")
    with pytest.raises(CheckFailed, match="or 'Nothing to migrate'"):
        checks.expect_pretend_lists(0, [], "Usage: migrate [options]")


def test_a_failed_migration_is_named_with_the_database_error() -> None:
    ran = checks.parse_ran(MIGRATED)
    assert list(ran.values()) == ["DONE", "FAIL"]
    with pytest.raises(CheckFailed) as caught:
        checks.expect_migrations_applied(1, ran, MIGRATED)
    assert "2026_12_02_000001_add_approved_at_index_to_invoices_table FAILED" in str(caught.value)
    assert 'column "approved_at" does not exist' in str(caught.value)
    assert "do not deploy" in str(caught.value)


def test_migrations_reported_done_must_be_in_the_copy() -> None:
    ran = checks.parse_ran(MIGRATED)
    checks.expect_copy_migrated(ran, ["2026_12_01_000001_add_internal_note_to_invoices_table"])
    with pytest.raises(CheckFailed, match="migrated another database"):
        checks.expect_copy_migrated(ran, [])


def test_a_migration_pending_after_migrate_fails() -> None:
    states = [MigrationState("a", 1, "Ran"), MigrationState("b", None, "Pending")]
    with pytest.raises(CheckFailed, match="1 Pending: b"):
        checks.expect_nothing_pending(states, "")
    checks.expect_nothing_pending(states[:1], "")


def test_the_last_good_release_must_be_named_and_not_the_one_deployed() -> None:
    configured = "[predeploy] last_good_release"
    assert checks.expect_last_good_release("2.1.0", configured, "2.1.1") == "2.1.0"
    with pytest.raises(CheckFailed, match="none configured"):
        checks.expect_last_good_release(None, "", "2.1.1")
    with pytest.raises(CheckFailed, match="rolling back to it changes nothing"):
        checks.expect_last_good_release("2.1.1", configured, "2.1.1")


def test_the_last_good_release_is_the_newest_one_a_go_gate_verified() -> None:
    def run(at: str, verdict: str | None, release: str | None = None) -> dict[str, object]:
        state = {RELEASE_VERIFIED: release} if release else {"failed_jobs_total": 3}
        return {"at": f"2026-12-0{at}T10:00:00+00:00", "verdict": verdict, "state": state}

    runs = [
        run("1", "GO", "2.0.9"),
        run("2", "GO", "2.1.0"),
        run("3", "GO"),  # a daily run: no release verified
        run("4", "ROLLBACK", "2.1.1"),  # served, but the gate said roll back: not good
        run("5", None, "2.1.2"),  # interrupted before a verdict
    ]
    found = last_good_release(runs, "2.1.2")
    assert found is not None and (found.version, found.at.day) == ("2.1.0", 2)
    # The release being deployed again is no rollback target: the one before it is.
    assert last_good_release(runs, "2.1.0") == last_good_release(runs[:1])
    assert last_good_release(runs[2:]) is None and last_good_release([]) is None


def test_runner_gives_the_command_only_the_copys_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_HOST", "prod.example")
    monkeypatch.setenv("DB_URL", "postgres://prod.example/facturino")
    monkeypatch.setenv("RAILWAY_TOKEN", "canary-token")
    connection = {"DB_CONNECTION": "pgsql", "DB_HOST": "/tmp/copy", "DB_PASSWORD": "pw-canary"}
    runner = MigrationRunner(["env"], tmp_path, 10, connection, lambda t: t.replace("pw-", "*"))
    result = runner.run()
    seen = dict(line.split("=", 1) for line in result.output.splitlines())
    assert seen["DB_HOST"] == "/tmp/copy" and seen["DB_URL"] == ""
    assert "RAILWAY_TOKEN" not in seen
    assert "pw-canary" not in result.shown and result.exit_code == 0


def test_runner_kills_a_command_that_outlives_its_timeout(tmp_path: Path) -> None:
    runner = MigrationRunner(["sh", "-c", "echo started; sleep 30"], tmp_path, 0.5, {}, str)
    result = runner.run()
    assert result.exit_code is None and not result.succeeded
    assert "started" in result.output and "no exit within 0.5 s" in result.output


def _environment(tmp_path: Path, predeploy: str) -> Path:
    path = tmp_path / "env.toml"
    path.write_text(f"{TARGET}\n[predeploy]\n{predeploy}", encoding="utf-8")
    return path


MISTAKES = {
    "no_workdir": ("", "[predeploy] workdir: not set; point it at the release's checkout"),
    "missing_workdir": (
        'workdir = "gone"',
        "[predeploy] workdir: folder {dir}/gone does not exist; point it at the release's "
        "checkout (relative paths start at this file's folder)",
    ),
    "missing_command": (
        'workdir = "."\nmigrate = ["no-such-php"]',
        "[predeploy] migrate: 'no-such-php' is not an executable program (found neither in "
        "{dir} nor on PATH); install it or name it by its full path",
    ),
    "not_a_checkout": (
        'workdir = "."\nmigrate = ["sh", "artisan"]',
        "[predeploy] workdir: {dir} has no artisan: it is not a checkout of the app; point it "
        "at the release's checkout (the folder holding artisan)",
    ),
    "cached_config": (
        'workdir = "."\nmigrate = ["sh"]',
        "[predeploy] workdir: {dir}/bootstrap/cache/config.php exists: a cached configuration "
        "ignores the DB_* variables that point the rehearsal at the throwaway copy; run "
        "`php artisan config:clear` in the checkout",
    ),
}


@pytest.mark.parametrize(("keys", "message"), MISTAKES.values(), ids=MISTAKES.keys())
def test_a_rehearsal_that_cannot_run_as_configured_is_a_usage_error(
    pytester: pytest.Pytester, keys: str, message: str
) -> None:
    env = _environment(pytester.path, keys)
    (pytester.path / "bootstrap" / "cache").mkdir(parents=True)
    if "cached" in message:
        (pytester.path / "bootstrap" / "cache" / "config.php").write_text("<?php return [];")
    pytester.makepyfile("def test_never_runs() -> None: pass")
    result = pytester.runpytest(
        "--env-file", env.name, "-m", "predeploy", "-p", "no:cacheprovider", "--no-reports"
    )
    assert_one_usage_error(result, f"{env.name} " + message.replace("{dir}", str(pytester.path)))


def test_a_smoke_run_does_not_need_the_checkout(pytester: pytest.Pytester) -> None:
    env = _environment(pytester.path, "")
    pytester.makepyfile("import pytest\n@pytest.mark.smoke\ndef test_runs() -> None: pass")
    result = pytester.runpytest("--env-file", env.name, "-m", "smoke", "--no-reports")
    assert result.ret != pytest.ExitCode.USAGE_ERROR, result.stdout.str()


def test_a_whole_run_without_a_checkout_deselects_the_rehearsal(pytester: pytest.Pytester) -> None:
    """No -m: the rehearsal's checks are deselected with the reason, not a usage error."""
    env = _environment(pytester.path, "")
    pytester.makepyfile(
        "import pytest\n@pytest.mark.predeploy\n@pytest.mark.rehearsal\n"
        "def test_rehearses() -> None: pass\n"
    )
    result = pytester.runpytest("--env-file", env.name, "--no-reports")
    result.assert_outcomes(deselected=1)
    result.stdout.fnmatch_lines(["*names no release checkout ([[]predeploy[]] workdir)*"])
