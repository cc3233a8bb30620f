"""Parametrization from the environment file: which /health checks it expects, and which
queue connection the queue checks read."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data
from facturino_verify.config import Environment
from facturino_verify.config.dns import expected_cnames
from facturino_verify.plugin import stash


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    env: Environment | None = metafunc.config.stash.get(stash.ENVIRONMENT, None)
    if env is None:
        return
    if "health_check" in metafunc.fixturenames:
        metafunc.parametrize("health_check", env.expect.health_checks)
    if "queue_connection" in metafunc.fixturenames:
        # Read where the app queues: the jobs table (db) or Redis (redis), named in the id.
        connection = env.queue_connection
        mark = pytest.mark.db if connection == "database" else pytest.mark.redis
        metafunc.parametrize(
            "queue_connection", [pytest.param(connection, marks=mark, id=connection)]
        )
    if "debug_path" in metafunc.fixturenames:
        metafunc.parametrize("debug_path", env.expect.debug_paths)
    if "private_path" in metafunc.fixturenames:
        metafunc.parametrize("private_path", env.expect.private_paths)
    if "dns_cname" in metafunc.fixturenames:
        metafunc.parametrize("dns_cname", sorted(expected_cnames(env.dns, env.target.host)))
    if "security_header" in metafunc.fixturenames:
        metafunc.parametrize("security_header", sorted(env.expect.headers))


@pytest.fixture(scope="session")
def environment_name(environment: Environment) -> str:
    """The APP_ENV the deployment must report (``[app] env``)."""
    return environment.app.env


@pytest.fixture(scope="session")
def expected_migrations(environment: Environment) -> list[str]:
    """Every migration the release expects: the manifest file plus ``newest_migration``."""
    database = environment.database
    if database is None:
        pytest.fail("environment has no [database]", pytrace=False)
    names = (
        data.parse_manifest(database.migrations_manifest.read_text())
        if (database.migrations_manifest)
        else []
    )
    return sorted({*names, *([database.newest_migration] if database.newest_migration else [])})
