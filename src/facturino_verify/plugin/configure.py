"""Load and validate the environment before collection; set the default reports."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ..config import ConfigError, environment_path
from ..config.load import EVERY_RUN, FEATURE_FILES
from ..config.release import expected_release
from ..config.secrets import secret_values
from ..redact import Redactor
from ..verdict.waivers import rules_from
from . import stash
from .history import HistoryRecorder
from .listing import CheckLister
from .options import informational, register_markers, reports_dir
from .preflight import RunSetup, checked_environment
from .verdict import VerdictRecorder


def environments_dir(config: pytest.Config) -> Path:
    configured = os.environ.get("FACTURINO_VERIFY_ENV_DIR")
    return Path(configured) if configured else config.rootpath / "environments"


def selected_env_file(config: pytest.Config) -> Path | None:
    """The environment file the run targets, or None when neither option was given."""
    name, file = config.option.facturino_env, config.option.facturino_env_file
    if name and file:
        raise ConfigError("--env and --env-file were both given", "command line", "pass one")
    if file:
        return Path(file)
    if name:
        return environment_path(name, environments_dir(config))
    return None


# The plugin's options that take a value: written with a space (`--reports-dir DIR`), pytest's
# rootdir and inifile search, which runs before the plugin is loaded, reads DIR as a test path.
VALUE_OPTIONS = ("--env", "--env-file", "--reports-dir", "--history-file", "--expect-release")


def refuse_lost_configuration(config: pytest.Config) -> None:
    """A value written after a space that moved pytest's rootdir or lost the project's ini file
    (its markers, --strict-markers, import mode and test paths) is refused with the fix: the
    run would otherwise collect the wrong folder under the wrong rules, silently."""
    args = list(config.invocation_params.args)
    spaced = [i for i, arg in enumerate(args[:-1]) if arg in VALUE_OPTIONS]
    if not spaced:
        return
    rootdir, inipath = _setup_without(config, args, spaced)
    if (rootdir, inipath) == (config.rootpath, config.inipath):
        return
    here = config.invocation_params.dir
    paths = [at for at in spaced if (here / args[at + 1]).exists()]  # only these move rootdir
    option, value = args[(paths or spaced)[0]], args[(paths or spaced)[0] + 1]
    lost = f"rootdir became {config.rootpath}" + (
        f", {inipath} was not read" if inipath and inipath != config.inipath else ""
    )
    raise ConfigError(
        f"pytest took {value} for a test path before the plugin was loaded ({lost})",
        option,
        f"write it with '=': {option}={value}",
    )


def _setup_without(
    config: pytest.Config, args: list[str], spaced: list[int]
) -> tuple[Path, Path | None]:
    """The rootdir and ini file pytest finds for these arguments without the spaced options."""
    from _pytest.config.findpaths import determine_setup

    dropped = {i for at in spaced for i in (at, at + 1)}
    rest = [arg for i, arg in enumerate(args) if i not in dropped]
    known, unknown = config._parser.parse_known_and_unknown_args(rest)
    rootdir, inipath, *_ = determine_setup(
        inifile=known.inifilename,
        override_ini=known.override_ini,
        args=[*known.file_or_dir, *unknown],
        rootdir_cmd_arg=known.rootdir or None,
        invocation_dir=config.invocation_params.dir,
    )
    return rootdir, inipath


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # tryfirst: the report paths must be set before pytest-html and junitxml configure themselves.
    register_markers(config)
    try:
        refuse_lost_configuration(config)
        path = selected_env_file(config)
        if path is None:
            if config.option.facturino_list_checks:
                config.pluginmanager.register(CheckLister(config), "facturino-verify-list")
            return  # inert otherwise: the plugin is loaded into every pytest run
        if informational(config):
            config.option.facturino_no_reports = True  # a description overwrites no report
        # Every mistake of the file and of the run's set-up at once, before collection.
        env = checked_environment(path, _run_setup(config))
        # Already asked by the preflight, which found nothing wrong: this only keeps the answer.
        release = expected_release(env, config.option.facturino_expect_release, str(path))
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[stash.ENVIRONMENT] = env
    for note in env.deprecations:
        config.issue_config_time_warning(pytest.PytestConfigWarning(f"{path}: {note}"), 2)
    config.stash[stash.ENV_FILE] = path
    config.stash[stash.RELEASE] = release
    secrets = secret_values(env)
    config.stash[stash.SECRETS] = secrets
    config.stash[stash.REDACTOR] = Redactor(secrets)
    config.stash[stash.DESELECTED] = []
    config.stash[stash.WAIVERS] = rules_from(env.waivers)
    config.stash[stash.TODAY] = datetime.now(UTC).date()
    if informational(config):
        _describe_only(config)
        return
    config.pluginmanager.register(VerdictRecorder(config), "facturino-verify-verdict")
    config.pluginmanager.register(HistoryRecorder(config), "facturino-verify-history")
    _default_reports(config)


def _describe_only(config: pytest.Config) -> None:
    """The environment is loaded (so capabilities can say what would not run), nothing is
    judged and no report, summary or history is written: the last real run's stay as they are."""
    if config.option.facturino_list_checks:
        config.pluginmanager.register(CheckLister(config), "facturino-verify-list")


def _run_setup(config: pytest.Config) -> RunSetup:
    """The feature flows' files are required only where they may run (``-m`` selects them, or no
    marker expression narrows the run), so a smoke gate does not need the e-Faktura trust
    anchor."""
    markexpr = config.option.markexpr or ""
    features = "features" in markexpr or not markexpr
    return RunSetup(
        files=(*EVERY_RUN, *(FEATURE_FILES if features else ())),
        reports=None if config.option.facturino_no_reports else reports_dir(config),
        root=config.rootpath,
        expect_release=config.option.facturino_expect_release,
        # Only a run asking for the checklist needs the release checkout it rehearses (a run
        # of everything checks a configured one; without one its rehearsal is deselected).
        predeploy="predeploy" in markexpr,
        whole_run=not markexpr,
        # The variables checks read through the Railway CLI where configured: it must exist.
        variables=not markexpr or any(m in markexpr for m in ("daily", "variables")),
    )


def _default_reports(config: pytest.Config) -> None:
    if config.option.facturino_no_reports:
        return
    reports = reports_dir(config)
    if hasattr(config.option, "htmlpath") and not config.option.htmlpath:
        config.option.htmlpath = str(reports / "report.html")
        config.option.self_contained_html = True
    if not config.option.xmlpath:
        config.option.xmlpath = str(reports / "junit.xml")
