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
EXPIRED = "the saved session expired"  # the purpose booked for a re-sign-in
# Laravel's Retry-After counts whole seconds to an integer timer, while the limiter's key
# expires up to a second later (its TTL runs from the first hit's exact time): a login sent
# exactly Retry-After seconds later was throttled again ("Retry-After: 0") in 1 of 1 measured
# throttled features runs against the reference deployment.
RETRY_AFTER_MARGIN = 1.0


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
        # Clients of a session the app forgot: other threads may still be mid-request on them
        # (closing one under them cut their answer off, which looked like a network error and
        # was retried and called flaky), so they are closed with the session.
        self._retired: list[httpx.Client] = []
        self._lock = threading.Lock()
        self._on_auth_call = on_auth_call
        self._failure: TargetError | None = None
        self._store = store
        self._deadline = deadline  # wall clock: how long a 429's Retry-After may be waited out
        self.resumed = False  # signed in by an earlier run's login (no exchange of its own)
        self._validated = False
        self.user: dict[str, Any] = {}
        # The csrf-cookie answer, then every login answer in order (a 429 waited out, then the
        # retry), each with its request: for checks of the flow.
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

    @property
    def failure(self) -> TargetError | None:
        """The sign-in's failure (refused, throttled, the login flow broken), remembered for the
        run; None while none failed."""
        return self._failure

    def _signed_in(self, why: str = "") -> httpx.Client:
        """A fresh login (remembered for later runs); a refusal is remembered for this run."""
        try:
            client = self._login(why)
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
            self.get("/api/v1/me")  # a 401/419 signs in afresh (request → _expired)
            self._validated = True
            client = self.client()
        return client

    def _login(self, why: str = "") -> httpx.Client:
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
            answer = self._post_login(client, what, why)
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

    def _post_login(self, client: httpx.Client, what: str, why: str = "") -> httpx.Response:
        """POST the login; a 429 is waited out once when its Retry-After fits the run's time.
        Every answer joins ``login_exchange``; each POST carries the XSRF-TOKEN the client holds
        when it is sent (a 429's answer sets a new one, as every answer of the web group does)."""
        body = {"email": self._email, "password": self._password, "remember": False}
        purpose = f"{what} ({why})" if why else what
        for attempt in (1, 2):
            if self._on_auth_call is not None:
                self._on_auth_call(purpose if attempt == 1 else f"{what} (after a 429)")
            answer = self._http.bounded(
                client, "POST", "/api/v1/auth/login", json=body, headers=self._headers(client)
            )
            self.login_exchange.append(answer)
            wait = _retry_after(answer)
            if answer.status_code != 429 or wait is None or attempt == 2:
                return answer
            wait += RETRY_AFTER_MARGIN
            if self._deadline is None or time.time() + wait > self._deadline:
                return answer
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """``method path`` in the session. A resumed session the app answers 401/419 signs in
        afresh (once, for every thread using it) and the request is asked again in the fresh
        session, with its own cookies and X-XSRF-TOKEN: a re-sign-in, not a network retry."""
        extra = kwargs.pop("headers", {})
        client = self.client()
        answer = self._send(client, method, path, extra, kwargs)
        if answer.status_code in SIGNED_OUT and self._expired(client):
            answer = self._send(self.client(), method, path, extra, kwargs)
        return answer

    def _send(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        extra: dict[str, str],
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        headers = {**self._headers(client), **extra}
        with mapped_errors(f"{method} {self._http.url(path)} as {self._email}"):
            return self._http.bounded(client, method, path, headers=headers, **kwargs)

    def _expired(self, client: httpx.Client) -> bool:
        """``client`` was answered 401/419. When it is a resumed session the app no longer knows
        (a redeploy flushed its sessions), forget it and sign in afresh, once for the run; True
        when the caller should ask again in the current session. A fresh sign-in that failed
        (throttled: *not judged*) is raised to every caller, never left as their 401."""
        with self._lock:
            if self._client is not client:
                if self._failure is not None:
                    raise self._failure
                return self._client is not None  # another thread already signed in again
            if not self.resumed:
                return False  # this run's own sign-in answered so: the app's answer to judge
            if self._store is not None:
                self._store.forget(self._email)
            self._retired.append(client)
            self._client = None
            self.resumed = False
            self._client = self._signed_in(EXPIRED)
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
            for retired in self._retired:
                retired.close()
            self._retired.clear()
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
