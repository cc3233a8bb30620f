"""Parametrization from the environment file: where the restore drill downloads from, and
which queue connection the queue checks read."""

from __future__ import annotations

import pytest

from facturino_verify.config import Environment
from facturino_verify.plugin import stash

SOURCE_MARKS = {"folder": pytest.mark.backup_folder, "bucket": pytest.mark.backup_bucket}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    env: Environment | None = metafunc.config.stash.get(stash.ENVIRONMENT, None)
    if env is not None and "queue_connection" in metafunc.fixturenames:
        # The queue checks read where the app queues: the jobs table (db) or Redis (redis).
        connection = env.queue_connection
        mark = pytest.mark.db if connection == "database" else pytest.mark.redis
        metafunc.parametrize(
            "queue_connection", [pytest.param(connection, marks=mark, id=connection)]
        )
    if env is None or "restore_source" not in metafunc.fixturenames:
        return
    source = env.backups.restore_source
    # One drill per run, from the configured source; its capability deselects it when absent.
    metafunc.parametrize(
        "restore_source",
        [pytest.param(source, marks=SOURCE_MARKS[source], id=source)],
        scope="session",
    )
