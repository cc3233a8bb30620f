"""The SPA's cookie-session login (Sanctum): csrf-cookie → login → API calls → logout."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx

from .budget import AuthBudgetExhausted
from .errors import AuthFailure, ProtocolFailure, TargetError
from .http import HttpClient, mapped_errors


class SanctumSession:
    """One logged-in user, exactly as the SPA is: cookies, ``X-XSRF-TOKEN`` and a stateful
    ``Referer``. Login happens once, on first use, because the app allows 5 auth calls/min/IP."""

    def __init__(
        self,
        http: HttpClient,
        email: str,
        password: str,
        company_id: int | None = None,
        on_auth_call: Callable[[str], None] | None = None,
    ):
        self._http, self._email, self._password = http, email, password
        self._company_id = company_id
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._on_auth_call = on_auth_call
        self._failure: TargetError | None = None
        self.user: dict[str, Any] = {}
        # The csrf-cookie and login responses (with their requests), for checks of the flow.
        self.login_exchange: list[httpx.Response] = []

    def _headers(self, client: httpx.Client) -> dict[str, str]:
        token = client.cookies.get("XSRF-TOKEN")
        headers = {"Accept": "application/json", "Referer": self._http.base_url + "/"}
        if token:
            headers["X-XSRF-TOKEN"] = unquote(token)
        if self._company_id is not None:
            headers["company"] = str(self._company_id)
        return headers

    def client(self) -> httpx.Client:
        with self._lock:
            # A refused login is not retried: every user of the session sees the same answer,
            # and the run does not spend more of the 5 auth calls/min on it. (Network errors
            # are left to the callers' retries.)
            if self._failure is not None:
                raise self._failure
            if self._client is None:
                try:
                    self._client = self._login()
                except (AuthFailure, AuthBudgetExhausted) as error:
                    self._failure = error
                    raise
            return self._client

    def _login(self) -> httpx.Client:
        client = self._http.new_session()
        what = f"login as {self._email}"
        with mapped_errors(what):
            csrf = client.get(
                "/sanctum/csrf-cookie", headers={"Referer": self._http.base_url + "/"}
            )
            self.login_exchange = [csrf]
            if csrf.status_code != 204 or "XSRF-TOKEN" not in client.cookies:
                raise ProtocolFailure(
                    what,
                    f"/sanctum/csrf-cookie answered {csrf.status_code} "
                    "without an XSRF-TOKEN cookie",
                )
            body = {"email": self._email, "password": self._password, "remember": False}
            if self._on_auth_call is not None:
                self._on_auth_call(what)
            answer = client.post("/api/v1/auth/login", json=body, headers=self._headers(client))
        self.login_exchange = [csrf, answer]
        if answer.status_code != 200:
            client.close()
            raise AuthFailure(
                what, f"POST /api/v1/auth/login answered {answer.status_code}: {answer.text[:160]}"
            )
        self.user = dict(answer.json().get("user") or {})
        return client

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        client = self.client()
        headers = {**self._headers(client), **kwargs.pop("headers", {})}
        with mapped_errors(f"{method} {self._http.url(path)} as {self._email}"):
            return client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
