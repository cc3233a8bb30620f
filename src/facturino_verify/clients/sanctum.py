"""The SPA's cookie-session login (Sanctum): csrf-cookie → login → API calls → logout."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.cookiejar import Cookie
from typing import Any
from urllib.parse import unquote

import httpx

from ..redact import Redactor
from .errors import AuthFailure, ProtocolFailure, TargetError
from .http import HttpClient, mapped_errors
from .ledger import AuthThrottled, SessionStore

# Answers that mean "this session is not (or no longer) signed in": a resumed session that gets
# one signs in again, once.
SIGNED_OUT = (401, 419)


class LoginServerError(ProtocolFailure):
    """The login answered 5xx: the app failed, it refused nobody (remembered for the run, like a
    refusal, so a broken login does not spend the minute's sign-ins)."""


class SanctumSession:
    """One logged-in user, exactly as the SPA is: cookies, ``X-XSRF-TOKEN`` and a stateful
    ``Referer``. Login happens once, on first use, because the app allows 5 auth calls/min/IP;
    with a ``store`` a session saved by an earlier run is resumed instead, and this run's login
    is saved for the next."""

    def __init__(
        self,
        http: HttpClient,
        email: str,
        password: str,
        company_id: int | None = None,
        on_auth_call: Callable[[str], None] | None = None,
        store: SessionStore | None = None,
        deadline: float | None = None,
    ):
        self._http, self._email, self._password = http, email, password
        self._company_id = company_id
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._on_auth_call = on_auth_call
        self._failure: TargetError | None = None
        self._store = store
        self._deadline = deadline  # wall clock: how long a 429's Retry-After may be waited out
        self.resumed = False  # signed in by an earlier run's login (no exchange of its own)
        self._validated = False
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
                self._client = self._resume() or self._signed_in()
            return self._client

    def _signed_in(self) -> httpx.Client:
        """A fresh login (remembered for later runs); a refusal is remembered for this run."""
        try:
            client = self._login()
        except (AuthFailure, AuthThrottled, LoginServerError) as error:
            self._failure = error
            raise
        self.resumed = False
        if self._store is not None:
            self._store.save(self._email, _cookies_of(client))
        return client

    def _resume(self) -> httpx.Client | None:
        cookies = self._store.load(self._email) if self._store is not None else None
        if not cookies:
            return None
        client = self._http.new_session()
        for saved in cookies:
            client.cookies.jar.set_cookie(_cookie(saved))
        self.resumed = True
        return client

    def signed_in(self) -> httpx.Client:
        """The client, proven signed in: a resumed session is asked ``GET /api/v1/me`` (the
        SPA's own first call) once, and signs in again if the app no longer knows it. For
        callers that hand the cookies on (a browser) instead of requesting through here."""
        client = self.client()
        if self.resumed and not self._validated:
            self.get("/api/v1/me")
            self._validated = True
            client = self.client()
        return client

    def _login(self) -> httpx.Client:
        client = self._http.new_session()
        what = f"login as {self._email}"
        with mapped_errors(what):
            csrf = self._http.bounded(
                client,
                "GET",
                "/sanctum/csrf-cookie",
                headers={"Referer": self._http.base_url + "/"},
            )
            self.login_exchange = [csrf]
            if csrf.status_code != 204 or "XSRF-TOKEN" not in client.cookies:
                raise ProtocolFailure(
                    what,
                    f"/sanctum/csrf-cookie answered {csrf.status_code} "
                    "without an XSRF-TOKEN cookie",
                )
            answer = self._post_login(client, what)
        self.login_exchange = [csrf, answer]
        if answer.status_code == 429:
            client.close()
            raise AuthThrottled(
                what,
                "the app answered 429 Too Many Attempts (Retry-After: "
                f"{answer.headers.get('Retry-After', '?')} s), longer than this run can wait",
                "another client on this IP used the minute's sign-ins; run again in a minute",
            )
        if answer.status_code >= 500:  # the app failed, it did not refuse anyone
            client.close()
            raise LoginServerError(what, self._answered(answer))
        if answer.status_code != 200:
            client.close()
            raise AuthFailure(what, self._answered(answer))
        self.user = dict(answer.json().get("user") or {})
        return client

    def _answered(self, answer: httpx.Response, limit: int = 160) -> str:
        """The login's status and the start of its body, masked before it is cut: a debug page
        may echo the request, and a password cut in two no longer looks like one."""
        flat = Redactor([self._password])(" ".join(answer.text.split()))
        excerpt = flat if len(flat) <= limit else flat[: limit - 1] + "…"
        return f"POST /api/v1/auth/login answered {answer.status_code}: {excerpt}"

    def _post_login(self, client: httpx.Client, what: str) -> httpx.Response:
        """POST the login; a 429 is waited out once when its Retry-After fits the run's time."""
        body = {"email": self._email, "password": self._password, "remember": False}
        for attempt in (1, 2):
            if self._on_auth_call is not None:
                self._on_auth_call(what if attempt == 1 else f"{what} (after a 429)")
            answer = self._http.bounded(
                client, "POST", "/api/v1/auth/login", json=body, headers=self._headers(client)
            )
            wait = _retry_after(answer)
            if answer.status_code != 429 or wait is None or attempt == 2:
                return answer
            if self._deadline is None or time.time() + wait > self._deadline:
                return answer
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        client = self.client()
        headers = {**self._headers(client), **kwargs.pop("headers", {})}
        with mapped_errors(f"{method} {self._http.url(path)} as {self._email}"):
            answer = self._http.bounded(client, method, path, headers=headers, **kwargs)
        if answer.status_code in SIGNED_OUT and self._expired(client):
            return self.request(method, path, headers=headers, **kwargs)
        return answer

    def _expired(self, client: httpx.Client) -> bool:
        """A resumed session the app no longer knows: forget it and sign in afresh (once).
        True when the caller should ask again with the new session."""
        with self._lock:
            if self._client is not client:
                return self._client is not None  # another thread already signed in again
            if not self.resumed:
                return False
            if self._store is not None:
                self._store.forget(self._email)
            client.close()
            self._client = None
            self.resumed = False
            self._client = self._signed_in()
            return True

    def will_log_in(self) -> bool:
        """True when this session's login exchange happens (or happened) in this run: it was
        not, and will not be, resumed from an earlier run's sign-in."""
        if self.login_exchange:
            return True
        if self._client is not None:
            return not self.resumed
        return self._store is None or not self._store.load(self._email)

    def twin(self) -> SanctumSession:
        """A new session for the same account that will log in itself (never resumes)."""
        return SanctumSession(
            self._http,
            self._email,
            self._password,
            self._company_id,
            self._on_auth_call,
            None,
            self._deadline,
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _cookies_of(client: httpx.Client) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "value": c.value or "",
            "domain": c.domain,
            "path": c.path,
            "secure": bool(c.secure),
            "expires": c.expires,
            # HttpOnly and SameSite live in the cookie's nonstandard attributes.
            "rest": dict(vars(c).get("_rest", {})),
        }
        for c in client.cookies.jar
    ]


def _cookie(saved: dict[str, Any]) -> Cookie:
    domain = str(saved["domain"])
    return Cookie(
        version=0,
        name=str(saved["name"]),
        value=str(saved["value"]),
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=domain.startswith("."),
        domain_initial_dot=domain.startswith("."),
        path=str(saved["path"]),
        path_specified=True,
        secure=bool(saved.get("secure")),
        expires=saved.get("expires"),
        discard=False,
        comment=None,
        comment_url=None,
        rest=dict(saved.get("rest") or {}),
    )


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return None
