"""Every network question of the smoke gate, asked concurrently once per run.

Checks call ``probes.result(name)``; the first call waits only for that answer. A probe that
could not reach its target fails the check that needed it, with the reason as the message.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from ..checks import login as login_checks
from ..checks import remedies
from ..checks.app import login_bundle_paths, spa_shell_page
from ..checks.base import CheckFailed, fail
from ..checks.health import BANK_SYNC_JOBS
from ..clients import RedisClient, TargetError, fetch_certificate
from ..clients.concurrent import Prefetch
from ..clients.errors import AuthFailure, NoSession, NotJudged, ProtocolFailure, SchemaMismatch
from ..clients.redisjobs import queue_snapshot
from ..clients.retry import RetryPolicy, with_retries
from ..config import Environment
from ..config.model import Redis as RedisConfig
from .browser import render_login_page
from .deployment import Deployment
from .dns import dns_probes

Probe = Callable[[], Any]
JSON = {"Accept": "application/json"}
NOT_FOUND_PROBE = "/api/v1/facturino-verify-not-found-probe"
# Asked only when a check needs them, after the requests whose effects they look at.
DEFERRED = frozenset({"redis.app_keys"})


def http_probes(d: Deployment) -> dict[str, Probe]:
    env, get = d.env, d.http.get
    probes: dict[str, Probe] = {
        "up": lambda: get("/up"),
        "health": lambda: get("/health", headers=JSON),
        "ping": lambda: get("/ping"),
        "api_ping": lambda: get("/api/ping", headers=JSON),
        # Public (routes/api.php:168); the SPA asks it on every load, so asking it changes
        # nothing the app's own front end does not.
        "app_version": lambda: get("/api/v1/app/version", headers=JSON),
        "login_page": lambda: get(env.target.login_path, follow_redirects=True),
        "json_error": lambda: get(NOT_FOUND_PROBE, headers=JSON),
        "installation": lambda: get("/installation"),
        "installation_api": lambda: get("/api/v1/installation/requirements", headers=JSON),
        "metrics_anonymous": lambda: get(env.metrics.path),
        "http_redirect": lambda: d.plain_http.get("/login"),
        "certificate": lambda: fetch_certificate(
            env.target.host, env.target.port, env.target.ca_file, env.target.connect_timeout
        ),
    }
    for path in env.expect.debug_paths:
        probes[f"debug_path {path}"] = _getter(d, path)
    for path in env.expect.private_paths:
        probes[f"private_path {path}"] = _getter(d, path)
    if env.metrics.has_credentials:
        probes["metrics"] = lambda: get(env.metrics.path, headers=metrics_headers(d))
    return probes


def metrics_probe(env: Environment) -> str:
    """The probe that reads /metrics as the checks must: with the environment's credentials
    (for a proxy in front of the app), else anonymously, as the real app allows."""
    return "metrics" if env.metrics.has_credentials else "metrics_anonymous"


def _getter(d: Deployment, path: str) -> Probe:
    return lambda: d.http.get(path)


def metrics_headers(d: Deployment) -> dict[str, str]:
    """Authorization for /metrics where the environment has credentials, else none."""
    m = d.env.metrics
    if m.token is not None:
        return {"Authorization": f"Bearer {m.token.get_secret_value()}"}
    if not m.username:
        return {}
    password = m.password.get_secret_value() if m.password else ""
    return {"Authorization": httpx.BasicAuth(m.username, password)._auth_header}


def service_probes(d: Deployment) -> dict[str, Probe]:
    probes: dict[str, Probe] = {}
    if d.postgres is not None:
        pg, limits = d.postgres, d.env.thresholds
        # SELECT 1, and which server answered it: the engine and its version, for the record.
        probes["db.version"] = lambda: (pg.select_one(), pg.dialect.engine, pg.server_version())
        probes["db.migrations"] = pg.migrations
        probes["db.queue"] = lambda: pg.queue_snapshot(limits.reserved_job_max_age_seconds)
        probes["db.certificates"] = lambda: pg.expiring_certificates(
            limits.company_certificate_min_days
        )
        probes["db.bank_sync"] = lambda: pg.failed_jobs_of(BANK_SYNC_JOBS)
    if d.redis is not None and d.env.redis is not None and d.env.redis_uses:
        probes.update(redis_probes(d, d.redis, d.env.redis))
    return probes


def redis_probes(d: Deployment, r: RedisClient, config: RedisConfig) -> dict[str, Probe]:
    """Only where the app uses Redis. The round trip writes (the runner's own key), so it is
    asked only where the environment allows writes; the rest only reads."""
    limits = d.env.thresholds
    probes: dict[str, Probe] = {
        "redis.ping": lambda: r.ping(config.cache_db),
        "redis.queue": lambda: queue_snapshot(
            r, config.queues, config.queue_retry_after, limits.reserved_job_max_age_seconds
        ),
        "redis.app_keys": lambda: app_keys(r, config, d.env.redis_uses),
    }
    if d.env.allow.writes:
        name = f"facturino_verify:deployment_test:{uuid.uuid4().hex}"
        written = uuid.uuid4().hex.encode()
        probes["redis.round_trip"] = lambda: (
            r.cache_key(name),
            written,
            *r.round_trip(name, written),
        )
    return probes


def app_keys(
    r: RedisClient, config: RedisConfig, uses: frozenset[str]
) -> dict[str, tuple[int, int]]:
    """Per store the app keeps in Redis: (its DB, keys under the app's cache prefix there)."""
    dbs = {"cache": config.cache_db, "sessions": config.session_db}
    return {what: (db, r.app_keys(db)) for what, db in dbs.items() if what in uses}


def account_probes(d: Deployment, accounts: Iterable[str]) -> dict[str, Probe]:
    """Per account: its sign-in (a check of its own), and the questions asked in its session,
    which are not judged when the sign-in was refused (that check says why)."""
    probes: dict[str, Probe] = {}
    for account in accounts:
        probes[f"{account}.sign_in"] = _signed_in(d, account)
    if "admin" in accounts:
        probes["admin.bootstrap"] = _in_session(d, "admin", "/api/v1/bootstrap")
    if "partner" in accounts:
        probes["partner.dashboard"] = _in_session(d, "partner", "/api/v1/partner/dashboard")
        probes["partner.commissions"] = _in_session(d, "partner", "/api/v1/partner/commissions")
    return probes


def _signed_in(d: Deployment, account: str) -> Probe:
    def sign_in() -> dict[str, Any]:
        session = d.session(account)
        session.signed_in()  # a session resumed from an earlier run is asked whether it holds
        return session.user

    return sign_in


def _in_session(d: Deployment, account: str, path: str) -> Probe:
    """GET ``path`` as ``account``; not judged when the sign-in itself failed (throttled,
    refused, or the login flow broken: ``test_sign_in_as_<account>_succeeds`` says which)."""

    def no_session(failed: TargetError) -> NoSession:
        return NoSession(
            f"[accounts.{account}]",
            f"this check needs the session and the suite's sign-in failed ({failed})",
            f"test_sign_in_as_{account}_succeeds says why",
        )

    def run() -> httpx.Response:
        session = d.session(account)
        try:
            session.client()
        except NotJudged:
            raise
        except TargetError as failed:
            raise no_session(failed) from None
        try:
            # A resumed session the app forgot signs in afresh inside this request.
            return session.get(path)
        except TargetError as failed:
            if isinstance(failed, NotJudged) or failed is not session.failure:
                raise  # throttled: not judged; unreachable: the probe's failure
            raise no_session(failed) from None  # the fresh sign-in was refused

    return run


def fetch_login_assets(d: Deployment, login_page: Callable[[], httpx.Response]) -> list[Any]:
    """The /build/assets/ files the login page references, fetched concurrently once the page
    is in; none when there is no SPA shell to read them from (its check says why)."""
    try:
        paths = login_bundle_paths(spa_shell_page(login_page()))
    except (TargetError, CheckFailed):
        return []
    with ThreadPoolExecutor(max_workers=len(paths), thread_name_prefix="asset") as pool:
        return list(pool.map(d.http.get, paths))


class Probes:
    """The run's probes: submitted together, each answer awaited by the check that needs it.

    A probe that meets a network-class error is retried (bounded, with back-off, within the run's
    time budget); the retries are counted per probe and charged to the checks that use it."""

    def __init__(
        self,
        deployment: Deployment,
        accounts: Iterable[str] = (),
        policy: RetryPolicy | None = None,
        browser: bool = False,
    ) -> None:
        self.deployment = deployment
        self._policy = policy or RetryPolicy(attempts=0)
        self._specs = {
            **http_probes(deployment),
            **service_probes(deployment),
            **account_probes(deployment, accounts),
            **dns_probes(deployment.env),
            "login_assets": lambda: fetch_login_assets(
                deployment, lambda: self._prefetch.result("login_page")
            ),
        }
        if browser:  # Chromium only where a selected check needs it (the browser capability)
            self._specs["login_render"] = lambda: render_login_page(deployment.env)
        # One thread per probe: against a hanging target every probe waits out its timeout at
        # the same time, so the run costs one timeout (per attempt), not one per wave of threads.
        self._prefetch = Prefetch(deadline=lambda: self._policy.deadline)
        self.retries: dict[str, int] = {}
        self.latency_ms: dict[str, float] = {}
        self._used: set[str] = set()
        self._on_retries: Callable[[int], None] = lambda _: None

    def _retrying(self, name: str, probe: Probe) -> Probe:
        def count(_: TargetError) -> None:
            self.retries[name] = self.retries.get(name, 0) + 1

        def run() -> Any:
            answer = with_retries(probe, self._policy, count)
            if isinstance(answer, httpx.Response):
                self.latency_ms[name] = answer.elapsed.total_seconds() * 1000
            return answer

        return run

    def start(self) -> Probes:
        for name, probe in self._specs.items():
            if name not in DEFERRED:
                self._prefetch.submit(name, self._retrying(name, probe))
        return self

    def settle(self, *names: str) -> None:
        """Wait until these probes have answered or failed (errors are left to their checks):
        for a question about what their requests did."""
        for name in names:
            if name in self._specs:
                self._prefetch.submit(name, self._retrying(name, self._specs[name]))
                with contextlib.suppress(Exception):
                    self._prefetch.result(name)

    def begin_check(self, on_retries: Callable[[int], None]) -> None:
        """A new check starts; ``on_retries(n)`` learns the retries behind the answers it uses."""
        self._used = set()
        self._on_retries = on_retries

    def _charge(self, name: str) -> None:
        self._used.add(name)
        total = sum(self.retries.get(used, 0) for used in self._used)
        if total:
            self._on_retries(total)

    def result(self, name: str) -> Any:
        """The probe's answer; a failure naming the unreachable target when there is none."""
        __tracebackhide__ = True
        self._prefetch.submit(name, self._retrying(name, self._specs[name]))
        try:
            answer = self._prefetch.result(name)
        except NotJudged:
            self._charge(name)
            raise  # not the deployment's fault: the check is not judged (plugin/report.py)
        except TargetError as error:
            unreachable = error
        else:
            self._charge(name)
            return answer
        self._charge(name)
        # Outside the except block, so the report shows one message, not a chained traceback.
        if isinstance(unreachable, SchemaMismatch):
            # It answered: a missing table is the schema's problem, not an outage.
            claim = f"the database has the tables the release needs (probe '{name}')"
            fail(claim, "the release's schema", str(unreachable), remedies.MIGRATIONS)
        fail(
            f"the deployment answers (probe '{name}')", "an answer", str(unreachable), _remedy(name)
        )

    def signed_in(self, account: str) -> Any:
        """The user ``[accounts.<account>]`` signed in as; a failure naming whose credentials
        the app refused, and its answer, when it did (network problems fail as in ``result``,
        a throttled sign-in is not judged)."""
        __tracebackhide__ = True
        name = f"{account}.sign_in"
        self._prefetch.submit(name, self._retrying(name, self._specs[name]))
        try:
            user = self._prefetch.result(name)
        except (AuthFailure, ProtocolFailure) as error:
            # Refused, or the login flow broken (no CSRF cookie, a 5xx): the sign-in's failure.
            self._charge(name)
            email = self.deployment.env.accounts[account].email
            login_checks.expect_signed_in(
                account, email, error.detail, refused=isinstance(error, AuthFailure)
            )
        except TargetError:
            return self.result(name)  # unreachable: failed (or retried) like any probe
        self._charge(name)
        return user

    def close(self) -> None:
        self._prefetch.close()


def _remedy(name: str) -> str:
    if name.startswith("db."):
        return remedies.DATABASE
    if name.startswith("redis."):
        return remedies.REDIS
    if name.startswith(("admin.", "partner.")):
        return remedies.AUTH_FLOW
    if name == "certificate":
        return remedies.TLS
    if name.startswith("dns."):
        return remedies.DNS_RESOLVER
    if name == "login_render":
        return remedies.BROWSER
    return remedies.REDEPLOY
