"""Third-party pytest plugins that only some suites use, loaded only where a run can use them.

pytest-playwright and pytest-base-url serve the features suite's browser flows, pytest-benchmark
the perf suite. Loaded into every run they cost the smoke gate a quarter of a second of start-up
for nothing (issue 16). pyproject.toml's addopts block them (``-p no:NAME``); this loads each one
back, before the command line is parsed (so its options exist), when the run's ``-m`` and paths
can select a test of its suite. A ``-p no:NAME`` the user gave is kept.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ..extras import FEATURES_EXTRA, PERF_EXTRA, SuiteExtra, selected_by
from .options import SUITE_MARKERS


@dataclass(frozen=True)
class OptionalPlugin:
    name: str  # its pytest11 entry point, the name `-p no:NAME` blocks
    suite: SuiteExtra


OPTIONAL_PLUGINS = (
    OptionalPlugin("playwright", FEATURES_EXTRA),
    OptionalPlugin("base_url", FEATURES_EXTRA),
    OptionalPlugin("benchmark", PERF_EXTRA),
)
# The names left out because the run cannot select their suite's tests (not the user's -p no:).
LEFT_OUT = pytest.StashKey[frozenset[str]]()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    manager = early_config.pluginmanager
    left_out = set()
    for plugin in OPTIONAL_PLUGINS:
        if not manager.is_blocked(plugin.name) or _blocked_by_user(early_config, plugin.name):
            continue  # autoloaded as usual, or the user's own -p no:
        if not _may_collect(early_config, plugin.suite):
            left_out.add(plugin.name)
        else:
            _load(manager, plugin.name)
    early_config.stash[LEFT_OUT] = frozenset(left_out)


def _load(manager: pytest.PytestPluginManager, name: str) -> None:
    """As pytest's autoload would have: the entry point, registered under its own name. (None
    installed: a missing extra is refused later, with its fix.)"""
    for entry_point in entry_points(group="pytest11", name=name):
        manager.unblock(name)
        manager.unblock(f"pytest_{name}")
        manager.register(entry_point.load(), name)


def left_out(config: pytest.Config, name: str) -> bool:
    """True when ``name`` was not loaded because this run cannot select its suite."""
    return name in config.stash.get(LEFT_OUT, frozenset())


def _blocked_by_user(config: pytest.Config, name: str) -> bool:
    """``-p no:NAME`` on the command line or in PYTEST_ADDOPTS (not the project's addopts)."""
    given = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    blocked = f"no:{name}"
    return any(
        arg in (f"-p{blocked}", f"-p={blocked}") or (arg == "-p" and following == blocked)
        for arg, following in zip(given, [*given[1:], ""], strict=True)
    )


def _may_collect(config: pytest.Config, suite: SuiteExtra) -> bool:
    namespace = config.known_args_namespace
    if not selected_by(namespace.markexpr or "", suite, SUITE_MARKERS):
        return False
    return _paths_reach(config, namespace.file_or_dir or [], config.rootpath / suite.folder)


def _paths_reach(config: pytest.Config, args: Sequence[str], folder: Path) -> bool:
    """No path given (the testpaths: every suite), or a path at, inside or above ``folder``."""
    if not args:
        return True
    here = config.invocation_params.dir
    for arg in args:
        path = (here / str(arg).split("::", 1)[0]).resolve()
        if path == folder or folder in path.parents or path in folder.parents:
            return True
    return False
