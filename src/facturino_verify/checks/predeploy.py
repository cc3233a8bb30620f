"""Pre-deployment checklist (runbook "Pre-Deployment Checklist"): a rollback target is known,
and the release's migrations ran on a restored copy of production (``--pretend`` first, then
``migrate --force`` and ``migrate:status`` against the copy). Pure: outputs in, CheckFailed out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .artisan import MigrationState, plain
from .base import fail, shorten

# Laravel's Migrator: `--pretend` prints each migration as a TwoColumnDetail with no second
# column, its queries as a BulletList (`⇂ query`); a run prints `name .... 3.21ms DONE|FAIL`.
_PRETENDED = re.compile(r"^\s*(?P<name>\d{4}_\d{2}_\d{2}_\w+?)(?:\.php)?\s*\.*\s*$")
_QUERY = re.compile(r"^\s*⇂\s+\S")
_RAN = re.compile(r"^\s*(?P<name>\S+)\s+\.+\s+[\d.,]+\s*m?s\s+(?P<status>DONE|FAIL)\s*$")

REHEARSAL = (
    "do not deploy: the release's migrations fail on a copy of production. Fix the failing "
    "migration (read the error above: a missing table or column, a NOT NULL column without a "
    "default on a table with rows), rehearse again, and deploy only when the rehearsal passes"
)
RUNNER = (
    "do not deploy: the release's artisan could not list its migrations. Read the error above "
    "(a migration file that does not load, a missing vendor/ or .env in [predeploy] workdir) "
    "and run the same command by hand in the checkout"
)
LAST_GOOD = (
    "do not deploy without a rollback target: name the last release that passed its gate in "
    "[predeploy] last_good_release (`railway status` / the deployments list shows its id), or "
    "read the history file the gate writes (--history-file, or the same reports directory: "
    "each GO gate that verified its release records it); runbook rollback scenario 1 "
    "redeploys it"
)


@dataclass(frozen=True)
class Pretended:
    """One migration ``--pretend`` listed and how many statements it would run."""

    name: str
    statements: int


def parse_pretend(text: str) -> list[Pretended]:
    found: list[Pretended] = []
    for line in plain(text).splitlines():
        if m := _PRETENDED.match(line):
            found.append(Pretended(m["name"], 0))
        elif _QUERY.match(line) and found:
            found[-1] = Pretended(found[-1].name, found[-1].statements + 1)
    return found


def parse_ran(text: str) -> dict[str, str]:
    """Each migration `migrate` ran and how it ended (DONE or FAIL), in order."""
    return {m["name"]: m["status"] for m in map(_RAN.match, plain(text).splitlines()) if m}


def described(pretended: Sequence[Pretended]) -> str:
    """What would run, for the report: "2 migrations, 3 statements: a (2), b (1)"."""
    if not pretended:
        return "nothing to migrate"
    statements = sum(p.statements for p in pretended)
    listed = ", ".join(f"{p.name} ({p.statements})" for p in pretended)
    return f"{len(pretended)} migration(s), {statements} statement(s): {listed}"


def expect_pretend_lists(exit_code: int | None, pretended: Sequence[Pretended], shown: str) -> None:
    __tracebackhide__ = True
    if exit_code != 0:
        fail(
            "`migrate --pretend` lists the release's migrations on the restored copy",
            "exit 0 and the migrations that would run",
            f"exit {exit_code}: {shorten(shown, 400)}",
            RUNNER,
        )
    if not pretended and "Nothing to migrate" not in shown:
        fail(
            "`migrate --pretend` lists the release's migrations on the restored copy",
            "each pending migration with its statements, or 'Nothing to migrate'",
            shorten(shown, 400),
            RUNNER,
        )


def expect_migrations_applied(exit_code: int | None, ran: dict[str, str], shown: str) -> None:
    __tracebackhide__ = True
    failed = [name for name, status in ran.items() if status == "FAIL"]
    if exit_code == 0 and not failed:
        return
    which = f"{failed[0]} FAILED" if failed else f"exit {exit_code}"
    fail(
        "the release's migrations apply to a restored copy of production (`migrate --force`)",
        "every pending migration DONE, exit 0",
        f"{which}: {shorten(_error_of(shown), 400)}",
        REHEARSAL,
    )


def _error_of(shown: str) -> str:
    """The exception Laravel printed after the FAIL line (the whole output when there is none)."""
    lines = plain(shown).splitlines()
    at = next((i for i, line in enumerate(lines) if line.rstrip().endswith("FAIL")), None)
    return "\n".join(lines[at + 1 :] if at is not None else lines)


def expect_nothing_pending(states: Sequence[MigrationState], shown: str) -> None:
    __tracebackhide__ = True
    if not states:
        fail(
            "`migrate:status` on the migrated copy lists the release's migrations",
            "one line per migration",
            shorten(shown, 300),
            RUNNER,
        )
    pending = [s.name for s in states if s.status == "Pending"]
    if pending:
        fail(
            "`migrate:status` on the migrated copy shows every migration Ran",
            "no migration Pending after `migrate --force`",
            f"{len(pending)} Pending: {', '.join(pending[:5])}",
            REHEARSAL,
        )


def expect_copy_migrated(ran: dict[str, str], recorded: Sequence[str]) -> None:
    """Every migration the command reported DONE is recorded in the *throwaway copy's*
    migrations table: proof that the command migrated the copy, not some other database."""
    __tracebackhide__ = True
    missing = [name for name, status in ran.items() if status == "DONE" and name not in recorded]
    if missing:
        fail(
            "the migrations the rehearsal ran are recorded in the throwaway copy",
            "each DONE migration in the copy's migrations table",
            f"{len(missing)} not there ({', '.join(missing[:3])}): the command migrated "
            "another database",
            "stop: check that the release's config reads DB_* from the environment "
            "(no config:cache, no hard-coded connection) before rehearsing again",
        )


def expect_last_good_release(
    last_good: str | None, source: str, deploying: str | None, missing: str = "none configured"
) -> str:
    """The rollback target (from ``source``: the configured key, or the history's last GO
    gate); it must be known and must not be the release being deployed. ``missing`` says
    where it was looked for when there is none."""
    __tracebackhide__ = True
    if last_good is None:
        fail(
            "a last good deployment is known (rollback plan)",
            "[predeploy] last_good_release, or a GO run of the release gate that verified a "
            "release (--expect-release / [release]) in the history file",
            missing,
            LAST_GOOD,
        )
    if deploying is not None and last_good == deploying:
        fail(
            "a last good deployment is known (rollback plan)",
            f"a release other than {deploying}, the one being deployed",
            f"{last_good} ({source}): rolling back to it changes nothing",
            LAST_GOOD,
        )
    return last_good
