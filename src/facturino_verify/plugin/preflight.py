"""Everything the operator can get wrong, found before collection and reported as one list: the
environment file's content, the files it names, the reports directory and the [severity] and
[waivers] patterns. Fixing mistakes one run at a time is a slow way to learn a configuration
format, so no part waits for another to be right. The patterns are matched against the suites'
source (``verdict/patterns.py``), which needs no collection: a broken file runs no check."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from ..config import ConfigError, Environment
from ..config.errors import collected
from ..config.load import Key, read_environment
from ..config.predeploy import predeploy_mistakes
from ..config.release import expected_release
from ..config.variables import variables_mistakes
from ..verdict.patterns import pattern_mistakes


@dataclass(frozen=True)
class RunSetup:
    """What a run needs beyond the file's content."""

    files: tuple[Key, ...]  # the files and folders it reads ([target] ca_file, …)
    reports: Path | None  # where its reports go; None with --no-reports
    root: Path  # the project whose suites the patterns must name
    expect_release: str | None = None  # --expect-release
    predeploy: bool = False  # -m may select the pre-deployment checklist (its rehearsal)
    whole_run: bool = False  # no -m: every suite, the checklist's rehearsal where configured
    variables: bool = False  # -m may select the critical variables checks (daily)


def checked_environment(
    path: Path, setup: RunSetup, environ: Mapping[str, str] | None = None
) -> Environment:
    """The environment, or one :class:`ConfigError` listing every mistake of the file and of the
    run's set-up."""
    reading = read_environment(path, environ, files=setup.files)
    env = reading.env
    mistakes = [
        *reading.mistakes,
        *reports_mistakes(setup.reports),
        *pattern_mistakes(reading.patterns, reading.shown, setup.root),
        *release_mistakes(reading.env, setup.expect_release, reading.shown),
        *(predeploy_mistakes(env, reading.shown) if _rehearses(env, setup) else []),
        *(variables_mistakes(env.variables, reading.shown) if env and setup.variables else []),
    ]
    problem = collected(reading.shown, mistakes)
    if problem is not None:
        raise problem
    assert reading.env is not None  # no mistake means it validated
    return reading.env


def _rehearses(env: Environment | None, setup: RunSetup) -> TypeGuard[Environment]:
    """Whether the run may rehearse the migrations, so [predeploy] must be right."""
    if env is None:
        return False
    return setup.predeploy or (setup.whole_run and env.predeploy.workdir is not None)


def release_mistakes(env: Environment | None, option: str | None, shown: str) -> list[ConfigError]:
    """The expected release must be known before any check runs: a checkout git cannot
    describe would otherwise leave the release gate without a claim to judge. Asked once the
    file validated (its [release] section may be among its mistakes)."""
    if env is None:
        return []
    try:
        expected_release(env, option, shown)
    except ConfigError as error:
        return [error]
    return []


def reports_mistakes(reports: Path | None) -> list[ConfigError]:
    """The reports directory, or the nearest folder above it that exists, must take new entries."""
    if reports is None:
        return []
    existing = next(p for p in (reports, *reports.parents) if p.exists())  # "/" always does
    if existing.is_dir() and _takes_entries(existing):
        return []
    what = "cannot be written" if existing.is_dir() else "is a file"
    return [
        ConfigError(
            f"{existing} {what}: the reports cannot be written to {reports}",
            "--reports-dir",
            "choose a directory this user can write (or --no-reports)",
        )
    ]


def _takes_entries(folder: Path) -> bool:
    """Tried, not asked: ``os.access`` says yes to root even where the kernel refuses every new
    entry (/proc, /sys), and pytest-html would then stop the run with an INTERNALERROR. The probe
    leaves nothing behind."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".facturino-verify-probe-", dir=folder))
    except OSError:
        return False
    return True
