"""The verification suites need a target: refuse to run them without ``--env``/``--env-file``.

The plugin itself stays inert without those options (it is loaded into every pytest run, the
project's own ``tests/`` included); only the suites insist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facturino_verify.plugin.options import informational

SUITES = ("tests_smoke", "tests_features", "tests_perf", "tests_monitoring", "tests_ops")


def _targets_a_suite(config: pytest.Config) -> bool:
    root = config.rootpath
    for arg in config.args:
        path = Path(arg.split("::", 1)[0])
        path = (config.invocation_params.dir / path).resolve()
        if any(path == root / s or root / s in path.parents for s in SUITES):
            return True
        if path == root:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.option.facturino_env or config.option.facturino_env_file
    # --markers, --fixtures, --collect-only and --list-checks describe the suites: no target.
    if not chosen and not informational(config) and _targets_a_suite(config):
        raise pytest.UsageError(
            "the verification suites need a target: pass --env NAME "
            "(a file in environments/) or --env-file PATH"
        )
