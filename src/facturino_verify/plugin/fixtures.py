"""Fixtures the suites use. ``pytest --fixtures`` is their manual, so each has a docstring."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..clients import PostgresClient, RedisClient
from ..clients.sanctum import SanctumSession
from ..config import Environment
from . import stash
from .deployment import Deployment
from .probes import Probes


@pytest.fixture(scope="session")
def environment(pytestconfig: pytest.Config) -> Environment:
    """The validated environment chosen with ``--env NAME`` or ``--env-file PATH``."""
    if stash.ENVIRONMENT not in pytestconfig.stash:
        pytest.fail("no environment: run with --env NAME or --env-file PATH", pytrace=False)
    return pytestconfig.stash[stash.ENVIRONMENT]


@pytest.fixture(scope="session")
def deployment(environment: Environment) -> Iterator[Deployment]:
    """The deployment under test: HTTP (with the environment's CA and timeouts), PostgreSQL and
    Redis clients, and the shared logged-in sessions. Closed at the end of the run."""
    target = Deployment.from_environment(environment)
    yield target
    target.close()


@pytest.fixture(scope="session")
def probes(request: pytest.FixtureRequest, deployment: Deployment) -> Iterator[Probes]:
    """All smoke probes, started concurrently on first use; ``probes.result(name)`` waits for one.

    Logins are only started when a selected test is marked ``admin_account``/``partner_account``,
    because the app allows only 5 auth calls per minute per IP."""
    items = request.session.items
    accounts = {
        account
        for account in ("admin", "partner")
        if any(item.get_closest_marker(f"{account}_account") for item in items)
    }
    running = Probes(deployment, accounts).start()
    yield running
    running.close()


@pytest.fixture(scope="session")
def postgres(deployment: Deployment) -> PostgresClient:
    """Read-only PostgreSQL client for the environment's ``[database]`` (tests marked ``db``)."""
    if deployment.postgres is None:
        pytest.fail("environment has no [database]; mark the test 'db'", pytrace=False)
    return deployment.postgres


@pytest.fixture(scope="session")
def redis_client(deployment: Deployment) -> RedisClient:
    """Redis client for the environment's ``[redis]`` with its prefixes (tests marked ``redis``)."""
    if deployment.redis is None:
        pytest.fail("environment has no [redis]; mark the test 'redis'", pytrace=False)
    return deployment.redis


@pytest.fixture(scope="session")
def admin_session(deployment: Deployment) -> SanctumSession:
    """The admin test account's SPA session, logged in once per run and shared."""
    return deployment.session("admin")


@pytest.fixture(scope="session")
def partner_session(deployment: Deployment) -> SanctumSession:
    """The partner test account's SPA session, logged in once per run and shared."""
    return deployment.session("partner")
