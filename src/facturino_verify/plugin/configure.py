"""Load and validate the environment before collection; set the default reports."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from ..config import ConfigError, Environment, environment_path, load_environment
from ..config.errors import collected
from ..config.load import file_mistakes
from ..redact import Redactor
from ..verdict.waivers import rules_from
from . import stash
from .history import HistoryRecorder
from .options import register_markers
from .patterns import pattern_mistakes
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
        _refuse_path_taken_for_rootdir(config, Path(file))
        return Path(file)
    if name:
        return environment_path(name, environments_dir(config))
    return None


def _refuse_path_taken_for_rootdir(config: pytest.Config, file: Path) -> None:
    """``--env-file PATH`` (with a space) reaches pytest's rootdir search before the plugin is
    loaded, so PATH counts as a test path: outside the project, pytest then loses the project's
    configuration and collects the wrong folder. ``--env-file=PATH`` is unambiguous."""
    root, here = config.rootpath, config.invocation_params.dir.resolve()
    from_file = root in file.resolve().parents
    if from_file and root != here and root not in here.parents:
        raise ConfigError(
            f"pytest took {file} for a test path (its rootdir became {root})",
            "--env-file",
            f"write it with '=': --env-file={file}",
        )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # tryfirst: the report paths must be set before pytest-html and junitxml configure themselves.
    register_markers(config)
    try:
        path = selected_env_file(config)
        if path is None:
            return  # inert: the plugin is loaded into every pytest run
        env = load_environment(path)
        _check_run_files(config, env, path)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[stash.ENVIRONMENT] = env
    config.stash[stash.ENV_FILE] = path
    config.stash[stash.REDACTOR] = Redactor(secret_values(env))
    config.stash[stash.DESELECTED] = []
    config.stash[stash.WAIVERS] = rules_from(env.waivers)
    config.stash[stash.TODAY] = datetime.now(UTC).date()
    config.pluginmanager.register(VerdictRecorder(config), "facturino-verify-verdict")
    config.pluginmanager.register(HistoryRecorder(config), "facturino-verify-history")
    _default_reports(config)


# Files only the feature flows read: required where they may run (``-m`` selects them, or no
# marker expression narrows the run), so a smoke gate does not need the e-Faktura trust anchor.
FEATURE_FILES = (
    ("features", "efaktura", "trust_anchor"),
    ("features", "efaktura", "ubl_schema_dir"),
)


def _check_run_files(config: pytest.Config, env: Environment, path: Path) -> None:
    """What this run needs beyond the file itself: the feature flows' files, and a reports
    directory it can write. Operator mistakes, so usage errors before anything runs."""
    shown = str(path)
    markexpr = config.option.markexpr or ""
    mistakes = (
        file_mistakes(env, shown, FEATURE_FILES) if "features" in markexpr or not markexpr else []
    )
    problem = _reports_problem(config)
    if problem is not None:
        mistakes.append(problem)
    mistakes += pattern_mistakes(env, shown, config.rootpath)
    error = collected(shown, mistakes)
    if error is not None:
        raise error


def _may_run_features(config: pytest.Config) -> bool:
    markexpr = config.option.markexpr or ""
    if markexpr:
        return "features" in markexpr
    paths = [a for a in config.args if not a.startswith("-")]
    return not paths or any("tests_features" in a for a in paths)


def _reports_problem(config: pytest.Config) -> ConfigError | None:
    if config.option.facturino_no_reports:
        return None
    reports = Path(config.option.facturino_reports_dir)
    if not reports.is_absolute():
        reports = config.invocation_params.dir / reports
    existing = next((p for p in (reports, *reports.parents) if p.exists()), None)
    if existing is not None and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        what = "is a file" if not existing.is_dir() else "cannot be written"
        return ConfigError(
            f"{existing} {what}: the reports cannot be written to {reports}",
            "--reports-dir",
            "choose a directory this user can write (or --no-reports)",
        )
    return None


def secret_values(env: Environment) -> list[str]:
    """Every secret the environment resolved, so reports can mask them wherever they appear."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif hasattr(value, "__pydantic_fields__"):
            for name in type(value).model_fields:  # type: ignore[attr-defined]
                walk(getattr(value, name))

    walk(env)
    return found


def _default_reports(config: pytest.Config) -> None:
    if config.option.facturino_no_reports:
        return
    reports = Path(config.option.facturino_reports_dir)
    if not reports.is_absolute():
        reports = config.invocation_params.dir / reports
    if hasattr(config.option, "htmlpath") and not config.option.htmlpath:
        config.option.htmlpath = str(reports / "report.html")
        config.option.self_contained_html = True
    if not config.option.xmlpath:
        config.option.xmlpath = str(reports / "junit.xml")
