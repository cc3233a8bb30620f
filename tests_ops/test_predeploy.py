"""Pre-deployment checklist (runbook "Pre-Deployment Checklist"), run *before* a deploy:
`pytest -m predeploy`. A failure means "do not deploy" (BLOCKED), never "roll back": nothing
was deployed yet. The backup checks are the daily ones (test_backups_ran.py, marked predeploy
too); here: the rollback target, and the migration rehearsal on a restored copy of production
(never on production: runs/rehearsal.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from facturino_verify.checks import predeploy as checks
from facturino_verify.checks.artisan import parse_migrate_status
from facturino_verify.config import Environment
from facturino_verify.plugin import history, stash
from facturino_verify.runs.history import last_good_release
from facturino_verify.runs.ops import Ops
from facturino_verify.runs.rehearsal import Rehearsal, rehearse

pytestmark = pytest.mark.predeploy
# The rehearsal's checks (deselected with the reason where [predeploy] workdir is not set).
REHEARSAL = pytest.mark.rehearsal
SHOWN_CHARS = 4000


@pytest.fixture(scope="session")
def rehearsal(ops: Ops, restore_source: str) -> Rehearsal:
    """The migration rehearsal, run once per session from ``restore_source``'s newest backup."""
    return rehearse(ops)


@pytest.fixture
def show(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``show(title, text)``: attach a command's masked output to this test's report (its last
    ``SHOWN_CHARS``: migrate:status lists every migration ever run)."""

    def add(title: str, text: str) -> None:
        cut = text if len(text) <= SHOWN_CHARS else "…" + text[-SHOWN_CHARS:]
        request.node.add_report_section("call", title, cut)

    return add


@pytest.fixture(scope="session")
def deploying(pytestconfig: pytest.Config) -> str | None:
    """The release about to be deployed (``--expect-release``, ``[release]``), if named."""
    release = pytestconfig.stash.get(stash.RELEASE, None)
    return release.version if release else None


def test_last_good_deployment_is_known(
    environment: Environment,
    deploying: str | None,
    run_history: list[dict[str, Any]],
    pytestconfig: pytest.Config,
    record_property: pytest.RecordProperty,
) -> None:
    """`[predeploy] last_good_release`, else the newest release a GO gate verified (history)."""
    configured = environment.predeploy.last_good_release
    if configured is not None:
        target = checks.expect_last_good_release(
            configured, "[predeploy] last_good_release", deploying
        )
    else:
        path = pytestconfig.stash.get(history.PATH, None)
        found = last_good_release(run_history, deploying)
        target = checks.expect_last_good_release(
            found.version if found else None,
            found.described if found else "",
            deploying,
            _not_found(path, deploying),
        )
    record_property("rollback_to", target)


def _not_found(path: Path | None, deploying: str | None) -> str:
    if path is None:
        return "none configured, and no history file to read (--no-reports without --history-file)"
    other = f" other than {deploying}" if deploying else ""
    return f"none configured, and {path} holds no GO gate that verified a release{other}"


@REHEARSAL
def test_migration_rehearsal_pretend_lists_what_would_run(
    rehearsal: Rehearsal,
    record_property: pytest.RecordProperty,
    record_figure: Callable[[str, float], None],
    show: Callable[[str, str], None],
) -> None:
    pretend = rehearsal.ran(rehearsal.pretend)
    show(f"{pretend.label} (exit {pretend.exit_code})", pretend.shown)
    pretended = checks.parse_pretend(pretend.output)
    record_property("migrations_would_run", checks.described(pretended))
    record_figure("rehearsal_pending_migrations", len(pretended))
    record_figure("rehearsal_seconds", rehearsal.seconds)
    checks.expect_pretend_lists(pretend.exit_code, pretended, pretend.shown)
    print(f"would run: {checks.described(pretended)}")


@REHEARSAL
def test_migration_rehearsal_applies_the_migrations(
    rehearsal: Rehearsal,
    record_figure: Callable[[str, float], None],
    show: Callable[[str, str], None],
) -> None:
    migrate = rehearsal.ran(rehearsal.migrate)
    show(f"{migrate.label} (exit {migrate.exit_code})", migrate.shown)
    record_figure("rehearsal_migrate_seconds", migrate.seconds)
    ran = checks.parse_ran(migrate.output)
    checks.expect_migrations_applied(migrate.exit_code, ran, migrate.shown)
    # And they went to the copy: a release whose config ignores DB_* would migrate elsewhere.
    checks.expect_copy_migrated(ran, rehearsal.after)


@REHEARSAL
def test_migration_rehearsal_leaves_no_migration_pending(
    rehearsal: Rehearsal, show: Callable[[str, str], None]
) -> None:
    status = rehearsal.ran(rehearsal.status)
    show(f"{status.label} (exit {status.exit_code})", status.shown)
    checks.expect_nothing_pending(parse_migrate_status(status.output), status.shown)
