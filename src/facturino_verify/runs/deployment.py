"""The deployment under test as one object: its environment and a client per service."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

from ..clients import DatabaseClient, HttpClient, RedisClient, database_client
from ..clients.budget import AuthBudget
from ..clients.errors import TargetError
from ..clients.ledger import AuthLedger, SessionStore
from ..clients.sanctum import SanctumSession
from ..config import Environment

AUTH_WINDOW_WAIT = 65.0  # seconds: the app's 60 s limiter window and a margin


@dataclass
class Deployment:
    env: Environment
    http: HttpClient
    plain_http: HttpClient
    postgres: DatabaseClient | None = None
    redis: RedisClient | None = None
    _sessions: dict[str, SanctumSession] = field(default_factory=dict)
    _login_flows: dict[str, SanctumSession] = field(default_factory=dict)
    # Every /api/v1/auth/* call of the run is booked here first (5/min per IP, contract §19).
    auth_budget: AuthBudget = field(default_factory=AuthBudget)
    sessions_store: SessionStore | None = None
    deadline: float | None = None  # wall clock: the end of the run's time budget

    @classmethod
    def from_environment(cls, env: Environment, run_deadline: float | None = None) -> Deployment:
        """Clients for ``env``, every request bounded by ``run_deadline`` (``time.monotonic()``,
        the end of the run's time budget); logins booked in this machine's ledger for the
        target and sessions reused between runs (``[features] session_reuse_minutes``)."""
        t, f = env.target, env.features
        # How long a sign-in may wait for the app's auth limiter: the gate's budget, else one
        # limiter window (a features run right after another waits rather than not judging).
        deadline = time.time() + (
            AUTH_WINDOW_WAIT if run_deadline is None else run_deadline - time.monotonic()
        )
        return cls(
            env=env,
            http=HttpClient(
                t.url,
                ca_file=t.ca_file,
                verify=t.verify_tls,
                connect_timeout=t.connect_timeout,
                read_timeout=t.read_timeout,
                max_connections=t.concurrency,
                max_body_bytes=t.max_body_bytes,
                run_deadline=lambda: run_deadline,
            ),
            plain_http=HttpClient(
                t.plain_http_url,
                connect_timeout=t.connect_timeout,
                read_timeout=t.read_timeout,
                max_body_bytes=t.max_body_bytes,
                run_deadline=lambda: run_deadline,
            ),
            postgres=database_client(env.database) if env.database else None,
            redis=RedisClient(env.redis) if env.redis else None,
            auth_budget=AuthBudget(
                f.auth_calls_per_minute,
                ledger=AuthLedger.for_target(t.url, f.auth_calls_per_minute),
                deadline=deadline,
            ),
            sessions_store=SessionStore.for_target(t.url, f.session_reuse_minutes * 60.0),
            deadline=deadline,
        )

    def session(self, account: str) -> SanctumSession:
        """The logged-in session of ``[accounts.<account>]``, shared by every test of the run."""
        if account not in self._sessions:
            a = self.env.accounts[account]
            self._sessions[account] = SanctumSession(
                self.http,
                a.email,
                a.password.get_secret_value(),
                a.company_id,
                on_auth_call=self.auth_budget.spend,
                store=self.sessions_store,
                deadline=self.deadline,
            )
        return self._sessions[account]

    def login_flow(self, account: str) -> SanctumSession:
        """A session of ``account`` whose own login exchange happens in this run (for checks
        of the login flow): the shared one if it logs in itself, else one twin, made once."""
        shared = self.session(account)
        if not shared.will_log_in():
            # Resumed: asked once whether the app still knows it. After a redeploy it signs in
            # afresh here, and that exchange (this run's) is the flow under test: no twin, one
            # auth call fewer. Whatever went wrong is the sign-in's to say, on first use.
            with contextlib.suppress(TargetError):
                shared.signed_in()
        if shared.will_log_in():
            return shared
        if account not in self._login_flows:
            self._login_flows[account] = shared.twin()
        return self._login_flows[account]

    def close(self) -> None:
        for session in [*self._sessions.values(), *self._login_flows.values()]:
            session.close()
        self.http.close()
        self.plain_http.close()
