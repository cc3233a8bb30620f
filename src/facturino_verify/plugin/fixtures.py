"""Fixtures the suites use. ``pytest --fixtures`` is their manual, so each has a docstring."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ..clients import DatabaseClient, RedisClient
from ..clients.retry import RetryPolicy
from ..clients.sanctum import SanctumSession
from ..config import Environment
from ..config.release import ExpectedRelease
from ..runs.deployment import Deployment
from ..runs.probes import Probes
from . import stash
from .verdict import FLAKY_KEY


@pytest.fixture(scope="session")
def environment(pytestconfig: pytest.Config) -> Environment:
    """The validated environment chosen with ``--env NAME`` or ``--env-file PATH``."""
    if stash.ENVIRONMENT not in pytestconfig.stash:
        pytest.fail("no environment: run with --env NAME or --env-file PATH", pytrace=False)
    return pytestconfig.stash[stash.ENVIRONMENT]


@pytest.fixture(scope="session")
def deployment(request: pytest.FixtureRequest, environment: Environment) -> Iterator[Deployment]:
    """The deployment under test: HTTP (with the environment's CA and timeouts, every request
    bounded in total time and body size), PostgreSQL and Redis clients, and the shared logged-in
    sessions (resumed from earlier runs where still young; logins booked in this machine's
    ledger). In a smoke-only run every request also ends by ``[run] budget_seconds``. Closed at
    the end of the run."""
    started = request.config.stash.get(stash.RUN_STARTED, time.monotonic())
    # The gate's budget bounds the gate; the longer suites (a browser flow, a bank sync's
    # deadline) are bounded per request only.
    gate = all(item.get_closest_marker("smoke") for item in request.session.items)
    run_deadline = started + environment.run.budget_seconds if gate else None
    target = Deployment.from_environment(environment, run_deadline)
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
    env = deployment.env
    started = request.config.stash.get(stash.RUN_STARTED, time.monotonic())
    policy = RetryPolicy(
        attempts=env.retries.attempts,
        backoff_seconds=env.retries.backoff_seconds,
        deadline=started + env.run.budget_seconds,
    )
    # The rendered login form needs Chromium: started only when that smoke check was selected
    # (the browser capability granted).
    browser = any(
        item.get_closest_marker("smoke") and item.get_closest_marker("browser") for item in items
    )
    running = Probes(deployment, accounts, policy, browser=browser).start()
    yield running
    request.config.stash[stash.PROBE_LATENCY] = dict(running.latency_ms)
    running.close()


@pytest.fixture(autouse=True)
def _charge_network_retries(request: pytest.FixtureRequest) -> Iterator[None]:
    """Charges the network retries behind a check's probe answers to that check (shown as
    flaky when it passed only thanks to them)."""
    if "probes" not in request.fixturenames:
        yield
        return
    running: Probes = request.getfixturevalue("probes")
    node = request.node

    def charge(retries: int) -> None:
        node.user_properties[:] = [p for p in node.user_properties if p[0] != FLAKY_KEY]
        node.user_properties.append((FLAKY_KEY, retries))

    running.begin_check(charge)
    yield


@pytest.fixture(scope="session")
def postgres(deployment: Deployment) -> DatabaseClient:
    """Read-only database client for the environment's ``[database]`` (PostgreSQL or MySQL, as
    its ``engine`` says; tests marked ``db``)."""
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


@pytest.fixture(scope="session")
def expected_release(pytestconfig: pytest.Config) -> ExpectedRelease:
    """The release the deployment must report: ``--expect-release``, ``[release] version`` or
    ``git describe --tags`` of ``[release] checkout`` (tests marked ``release``)."""
    release = pytestconfig.stash.get(stash.RELEASE, None)
    if release is None:
        pytest.fail("no expected release; mark the test 'release'", pytrace=False)
    return release
