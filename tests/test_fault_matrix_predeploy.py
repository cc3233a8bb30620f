"""The pre-deployment fault matrix: every `-m predeploy` check is proven able to fail.

`pytest -m predeploy` runs as one process against a private reference deployment (with its
bucket, so the rehearsal restores what the weekly drill restores) on PostgreSQL and on
MariaDB: healthy, every check passes (GO); with one fault, exactly the expected checks fail
and the verdict is BLOCKED ("do not deploy"), never ROLLBACK: nothing was deployed yet.
Without a configured rollback target, the last release a GO gate verified (the history) is it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from .reference_runs import SuiteRun, run_suite
from .test_fault_matrix_ops import failing, reference_with_bucket

pytestmark = pytest.mark.fault_matrix

RECENT = {f"test_newest_backup_is_recent[{w}]" for w in ("folder", "bucket", "backup:list")}
LAST_GOOD = "test_last_good_deployment_is_known"
PRETEND = "test_migration_rehearsal_pretend_lists_what_would_run[bucket]"
APPLIES = "test_migration_rehearsal_applies_the_migrations[bucket]"
NOTHING_PENDING = "test_migration_rehearsal_leaves_no_migration_pending[bucket]"
EVERY_CHECK = RECENT | {LAST_GOOD, PRETEND, APPLIES, NOTHING_PENDING}
ENGINES = {"postgresql": (), "mysql": ("--db", "mysql")}

EXPECTED_FAILURES: dict[str, set[str]] = {
    # The next release indexes invoices.approved_at, which no migration creates.
    "failing_migration": {APPLIES, NOTHING_PENDING},
    # A merge conflict left in a migration file: it cannot be loaded; status reads no file.
    "migration_parse_error": {PRETEND, APPLIES, NOTHING_PENDING},
    "no_last_good_deployment": {LAST_GOOD},
    # The daily recency check is the checklist's "database backup completed".
    "backup_stale": RECENT,
}
# (fault, engine): the rehearsal on both engines; the others need one.
CASES = [
    ("failing_migration", "postgresql"),
    ("failing_migration", "mysql"),
    ("migration_parse_error", "postgresql"),
    ("no_last_good_deployment", "postgresql"),
    ("backup_stale", "postgresql"),
]


def predeploy_run(engine: str, faults: list[str]) -> SuiteRun:
    with reference_with_bucket(faults, ENGINES[engine]) as home:
        return run_suite(home, "predeploy", "tests_ops", "-rA")


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_healthy_reference_deployment_passes_every_predeploy_check(engine: str) -> None:
    run = predeploy_run(engine, [])
    assert run.exit_code == 0, run.output[-3000:]
    assert set(run.outcomes) == EVERY_CHECK, sorted(run.outcomes)
    assert failing(run) == set() and run.named("skipped") == set()
    # What would run is reported: the release's two new migrations and their three statements.
    assert "would run: 2 migration(s), 3 statement(s)" in run.output, run.output[-3000:]


@pytest.mark.parametrize(("fault", "engine"), CASES, ids=[f"{f}-{e}" for f, e in CASES])
def test_predeploy_fault_fails_exactly_its_checks(fault: str, engine: str) -> None:
    run = predeploy_run(engine, [fault])
    expected = EXPECTED_FAILURES[fault]
    assert failing(run) == expected, (
        f"missed (should fail): {sorted(expected - failing(run))}; "
        f"cross-talk (should pass): {sorted(failing(run) - expected)}\n{run.output[-2500:]}"
    )
    assert run.named("skipped") == set()
    # Not deployed yet: a failure blocks the deploy; "roll back" would be the wrong advice.
    assert run.exit_code == 11, f"{fault}: exit {run.exit_code}\n{run.output[-1500:]}"
    assert "pre-deployment checklist failed: do not deploy" in run.output
    assert "runbook" not in run.output.split("VERDICT:")[-1]
    if fault == "failing_migration":
        assert "would run: 3 migration(s), 4 statement(s)" in run.output
        assert "approved_at" in run.output and "do not deploy" in run.output


def test_every_predeploy_check_is_tripped_by_a_specific_fault() -> None:
    functions = {name.split("[")[0] for name in EVERY_CHECK}
    proven = {name.split("[")[0] for failures in EXPECTED_FAILURES.values() for name in failures}
    assert sorted(functions - proven) == []


def test_without_a_configured_target_the_last_go_gate_is_the_rollback_target(
    tmp_path: Path,
) -> None:
    """No `last_good_release` (a first deployment's file): the gate that verified the serving
    release GO records it in the history, and the next release's checklist rolls back to it;
    the release being deployed is never its own rollback target."""
    history = tmp_path / "history.jsonl"
    kept = f"--history-file={history}"
    with reference_with_bucket(["no_last_good_deployment"]) as home:
        served = tomllib.loads((home / "environment.toml").read_text())["release"]["version"]
        gate = run_suite(home, "smoke", kept)
        again = run_suite(home, "predeploy", "tests_ops", "-k", "last_good", kept)
        upgrade = f"--expect-release={served}-next"
        nxt = run_suite(home, "predeploy", "tests_ops", "-k", "last_good", kept, upgrade)
    assert gate.exit_code == 0, gate.output[-3000:]
    line = json.loads(history.read_text().splitlines()[0])
    assert (line["verdict"], line["state"]["release_verified"]) == ("GO", served)
    # Deploying the serving release again: its own GO run is no rollback target.
    assert failing(again) == {LAST_GOOD} and again.exit_code == 11, again.output[-2000:]
    assert f"holds no GO gate that verified a release other than {served}" in again.output
    assert nxt.exit_code == 0 and failing(nxt) == set(), nxt.output[-2000:]
    assert nxt.properties[LAST_GOOD]["rollback_to"] == served
