"""The deployment under test as one object: its environment and a client per service."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..clients import HttpClient, PostgresClient, RedisClient
from ..clients.budget import AuthBudget
from ..clients.sanctum import SanctumSession
from ..config import Environment


@dataclass
class Deployment:
    env: Environment
    http: HttpClient
    plain_http: HttpClient
    postgres: PostgresClient | None = None
    redis: RedisClient | None = None
    _sessions: dict[str, SanctumSession] = field(default_factory=dict)
    # Every /api/v1/auth/* call of the run is booked here first (5/min per IP, contract §19).
    auth_budget: AuthBudget = field(default_factory=AuthBudget)

    @classmethod
    def from_environment(cls, env: Environment) -> Deployment:
        t = env.target
        return cls(
            env=env,
            http=HttpClient(
                t.url,
                ca_file=t.ca_file,
                verify=t.verify_tls,
                connect_timeout=t.connect_timeout,
                read_timeout=t.read_timeout,
                max_connections=t.concurrency,
            ),
            plain_http=HttpClient(
                t.plain_http_url, connect_timeout=t.connect_timeout, read_timeout=t.read_timeout
            ),
            postgres=PostgresClient(env.database) if env.database else None,
            redis=RedisClient(env.redis) if env.redis else None,
            auth_budget=AuthBudget(env.features.auth_calls_per_minute),
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
            )
        return self._sessions[account]

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self.http.close()
        self.plain_http.close()
