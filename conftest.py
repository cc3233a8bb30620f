"""The verification suites need a target: refuse to run them without ``--env``/``--env-file``.

The plugin itself stays inert without those options (it is loaded into every pytest run, the
project's own ``tests/`` included); only the suites insist. A suite whose optional install part
is missing is left out of collection, and a run that asks for it is refused with the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facturino_verify.extras import (
    SUITE_EXTRAS,
    SUITE_FOLDERS,
    install_hint,
    missing_modules,
    selected_by,
)
from facturino_verify.plugin.options import SUITE_MARKERS, informational

# Collected by no run where its modules cannot be imported: pytest reads this list below the
# root; a folder named as an argument (testpaths) is dropped from the arguments instead.
collect_ignore = [suite.folder for suite in SUITE_EXTRAS if missing_modules(suite)]


def _arg_path(config: pytest.Config, arg: str) -> Path:
    return (config.invocation_params.dir / Path(arg.split("::", 1)[0])).resolve()


def _targets_a_suite(config: pytest.Config, suites: tuple[str, ...] = ()) -> bool:
    """Whether an argument is the project root, a suite folder (``testpaths``: the one list of
    suites) or something inside one."""
    suites = suites or tuple(config.getini("testpaths"))
    root = config.rootpath
    for arg in config.args:
        path = _arg_path(config, arg)
        if any(path == root / s or root / s in path.parents for s in suites):
            return True
        if path == root:
            return True
    return False


def _refuse_a_suite_not_installed(config: pytest.Config) -> None:
    for suite in SUITE_EXTRAS:
        missing = missing_modules(suite)
        targeted = _targets_a_suite(config, (suite.folder,))
        if missing and targeted and selected_by(config.option.markexpr, suite, SUITE_MARKERS):
            raise pytest.UsageError(install_hint(suite, missing))


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.option.facturino_env or config.option.facturino_env_file
    # --markers, --fixtures, --collect-only and --list-checks describe the suites: no target.
    if not chosen and not informational(config) and _targets_a_suite(config):
        raise pytest.UsageError(
            "the verification suites need a target: pass --env NAME "
            "(a file in environments/) or --env-file PATH"
        )
    if not informational(config):
        _refuse_a_suite_not_installed(config)
    left_out = {config.rootpath / folder for folder in collect_ignore}
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        left_out |= _suites_not_selected(config)
    config.args[:] = [a for a in config.args if _arg_path(config, a) not in left_out]


def _suites_not_selected(config: pytest.Config) -> set[Path]:
    """The suite folders whose tests ``-m`` cannot select: not even imported, so the smoke gate
    does not pay at start-up for the other suites' modules (each test carries its folder's
    suite marker: tests/test_extras.py holds them to it). Folders named on the command line
    are collected as asked."""
    markexpr = config.option.markexpr or ""
    return {
        config.rootpath / suite.folder
        for suite in SUITE_FOLDERS
        if not selected_by(markexpr, suite, SUITE_MARKERS)
    }
