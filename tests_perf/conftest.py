"""Parametrization from the environment file: which dashboard endpoints are timed."""

from __future__ import annotations

import pytest

from facturino_verify.config import Environment
from facturino_verify.plugin import stash


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    env: Environment | None = metafunc.config.stash.get(stash.ENVIRONMENT, None)
    if env is not None and "endpoint" in metafunc.fixturenames:
        metafunc.parametrize("endpoint", list(env.perf.endpoints))
