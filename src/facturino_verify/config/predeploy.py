"""Environment keys of the pre-deployment checklist (``pytest -m predeploy``): ``[predeploy]``.

The migration rehearsal runs the *release's* migrations, so its command is the one thing the
suite runs that writes to a database. It never reaches production: it runs on this machine, in
the release checkout, against the throwaway copy the suite restored the newest backup into
(the copy's connection is given in the command's environment). Checked before collection: a
missing checkout or command is the operator's mistake (exit 4), never a failed check.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from .errors import ConfigError, location
from .programs import find_program
from .section import Section

if TYPE_CHECKING:
    from .model import Environment  # which holds a Predeploy

# Laravel's cached configuration (`php artisan config:cache`) ignores the environment: the
# DB_* variables that point the rehearsal at the throwaway copy would not be read, and the
# migrations would run against whatever database the cache names.
CACHED_CONFIG = Path("bootstrap/cache/config.php")


class Predeploy(Section):
    """The pre-deployment checklist: the rollback target and the migration rehearsal."""

    # `migrate --pretend`, `migrate --force` and `migrate:status` are appended; DB_* name the
    # throwaway copy (the command runs on this machine, never in the deployment).
    migrate: tuple[str, ...] = ("php", "artisan")
    """The release's artisan, run in `workdir` against the throwaway copy only."""
    workdir: Path | None = None
    """The release checkout the migrations run from (relative paths start at this file's folder)."""
    timeout: float = Field(600.0, gt=0)
    """Seconds each migrate command may take; then its process group is killed."""
    last_good_release: str | None = None
    """The release to roll back to if this deploy fails (tag or deployment id); unset: the
    newest release a GO gate verified, from the history file."""

    @field_validator("migrate")
    @classmethod
    def _command(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or not value[0].strip():
            raise ValueError('name the command, e.g. ["php", "artisan"]')
        return value

    @field_validator("last_good_release")
    @classmethod
    def _release(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("name the release (or leave the key out)")
        return value


def predeploy_mistakes(env: Environment, shown: str) -> list[ConfigError]:
    """What stops the rehearsal from running as configured, found before any check runs."""
    p, where = env.predeploy, location(shown, "predeploy", "workdir")
    if p.workdir is None:
        return [ConfigError("not set", where, "point it at the release's checkout")]
    if not p.workdir.is_dir():
        hint = "point it at the release's checkout (relative paths start at this file's folder)"
        return [ConfigError(f"folder {p.workdir} does not exist", where, hint)]
    mistakes = []
    if find_program(p.migrate[0], p.workdir) is None:
        mistakes.append(
            ConfigError(
                f"{p.migrate[0]!r} is not an executable program (found neither in "
                f"{p.workdir} nor on PATH)",
                location(shown, "predeploy", "migrate"),
                "install it or name it by its full path",
            )
        )
    if "artisan" in p.migrate[1:] and not (p.workdir / "artisan").is_file():
        mistakes.append(
            ConfigError(
                f"{p.workdir} has no artisan: it is not a checkout of the app",
                where,
                "point it at the release's checkout (the folder holding artisan)",
            )
        )
    if (p.workdir / CACHED_CONFIG).exists():
        mistakes.append(
            ConfigError(
                f"{p.workdir / CACHED_CONFIG} exists: a cached configuration ignores the DB_* "
                "variables that point the rehearsal at the throwaway copy",
                where,
                "run `php artisan config:clear` in the checkout",
            )
        )
    return mistakes
