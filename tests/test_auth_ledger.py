"""The suite's own sign-ins never become the deployment's failure: one auth ledger per target
for every run on the machine, sessions reused between runs, a 429 waited out or *not judged*."""

from __future__ import annotations

import contextlib
import json
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from facturino_verify.checks import login
from facturino_verify.checks.base import CheckFailed
from facturino_verify.clients.budget import AuthBudget
from facturino_verify.clients.http import HttpClient
from facturino_verify.clients.ledger import AuthLedger, AuthThrottled, SessionStore
from facturino_verify.clients.sanctum import RETRY_AFTER_MARGIN, SanctumSession
from facturino_verify.verdict import EXIT_CODES

RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")
BASE = "https://facturino.example"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def ledger(path: Path, clock: Clock, per_minute: int = 5) -> AuthLedger:
    return AuthLedger(path, per_minute, clock, clock.sleep)


def test_the_ledger_counts_every_process_against_the_same_minute(tmp_path: Path) -> None:
    clock, path = Clock(), tmp_path / "auth.json"
    first, second = ledger(path, clock), ledger(path, clock)  # two runs, one file
    for _ in range(3):
        first.book("run 1", deadline=None)
    second.book("run 2", deadline=None)
    second.book("run 2", deadline=None)
    with pytest.raises(AuthThrottled, match="made 5 in the last minute"):
        second.book("run 2 again", deadline=clock.now + 5)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_full_minute_is_waited_out_when_the_run_has_the_time(tmp_path: Path) -> None:
    """The oldest call's slot frees a minute after it plus the arrival margin (the app counts
    a call when it arrives, after the booking)."""
    clock = Clock()
    book = ledger(tmp_path / "auth.json", clock, per_minute=2)
    book.book("a", None)
    clock.now += 10
    book.book("b", None)
    waited = book.book("c", deadline=clock.now + 60)
    assert 54 < waited < 56 and clock.slept == [pytest.approx(55.05)]


def test_calls_older_than_a_minute_and_the_margin_no_longer_count(tmp_path: Path) -> None:
    clock = Clock()
    book = ledger(tmp_path / "auth.json", clock, per_minute=1)
    book.book("old", None)
    clock.now += 61  # the app's window is over, but the call may have arrived late
    with pytest.raises(AuthThrottled):
        book.book("early", deadline=clock.now)
    clock.now += 5
    assert book.book("new", deadline=clock.now) == 0.0


def test_a_torn_ledger_file_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    path.write_text("{not json")
    ledger(path, Clock()).book("after a crash", None)
    assert len(json.loads(path.read_text())["calls"]) == 1


def test_saved_sessions_expire_and_can_be_switched_off(tmp_path: Path) -> None:
    clock = Clock()
    store = SessionStore(tmp_path, BASE, 3600, clock)
    cookie = {"name": "facturino_session", "value": "v", "domain": "facturino.example", "path": "/"}
    store.save("a@x", [cookie])
    assert store.load("a@x") == [cookie] and store.load("b@x") is None
    clock.now += 3601
    assert store.load("a@x") is None
    off = SessionStore(tmp_path / "off", BASE, 0, clock)
    off.save("a@x", [cookie])
    assert off.load("a@x") is None
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in tmp_path.glob("*.json"))


def _cookie(request: httpx.Request, name: str) -> str:
    return request.headers.get("cookie", "").partition(f"{name}=")[2].split(";")[0]


class FakeApp:
    """The app's auth routes: csrf-cookie, login (maybe throttled), pages behind auth.

    Like Laravel, every answer of the web group sets ``XSRF-TOKEN`` anew: the session's token
    encrypted with a new IV (here ``token.n``), so each value differs and all of them are valid;
    a POST in a session needs that session's token in ``X-XSRF-TOKEN`` (else 419)."""

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}  # session id → its CSRF token
        self.logins = 0
        self.throttle: list[int] = []  # Retry-After seconds of the next logins' 429s
        self.issued = 0
        self.in_flight: threading.Barrier | None = None  # holds the first stale answers

    def _xsrf(self, token: str) -> str:
        self.issued += 1
        return f"XSRF-TOKEN={token}.{self.issued}; Path=/"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/sanctum/csrf-cookie":
            return httpx.Response(204, headers={"Set-Cookie": self._xsrf(f"t{self.issued}")})
        token = request.headers.get("X-XSRF-TOKEN", "").partition(".")[0]
        if path == "/api/v1/auth/login":
            if self.throttle:
                wait = str(self.throttle.pop(0))
                headers = {"Retry-After": wait, "Set-Cookie": self._xsrf(token)}
                return httpx.Response(429, headers=headers)
            self.logins += 1
            sid = f"s{self.logins}"
            self.sessions[sid] = token
            return httpx.Response(
                200,
                json={"success": True, "user": {"role": "super admin"}},
                headers={"Set-Cookie": f"facturino_session={sid}; Path=/; HttpOnly"},
            )
        sid = _cookie(request, "facturino_session")
        if sid not in self.sessions:
            if self.in_flight is not None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    self.in_flight.wait(timeout=5)
            return httpx.Response(401, json={"message": "Unauthenticated."})
        if request.method == "POST" and token != self.sessions[sid]:
            return httpx.Response(419, json={"message": "CSRF token mismatch."})
        return httpx.Response(200, json={})


class FakeHttp(HttpClient):
    def __init__(self, app: FakeApp) -> None:
        super().__init__(BASE)
        self._app = app

    def new_session(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=BASE, transport=httpx.MockTransport(self._app))


def session(
    app: FakeApp, store: SessionStore | None, booked: list[str], deadline: float | None = None
) -> SanctumSession:
    return SanctumSession(
        FakeHttp(app), "admin@x", "pw", on_auth_call=booked.append, store=store, deadline=deadline
    )


def test_a_later_run_resumes_the_session_without_signing_in(tmp_path: Path) -> None:
    app, booked = FakeApp(), []  # type: ignore[var-annotated]
    store = SessionStore(tmp_path, BASE, 3600)
    assert session(app, store, booked).get("/api/v1/me").status_code == 200
    again = session(app, store, booked)
    assert again.get("/api/v1/me").status_code == 200
    assert (app.logins, len(booked), again.resumed, again.will_log_in()) == (1, 1, True, False)


def test_a_resumed_session_the_app_forgot_signs_in_again_once(tmp_path: Path) -> None:
    app, booked = FakeApp(), []  # type: ignore[var-annotated]
    store = SessionStore(tmp_path, BASE, 3600)
    session(app, store, booked).get("/api/v1/me")
    app.sessions.clear()  # the session store was flushed by the deploy
    again = session(app, store, booked)
    assert again.get("/api/v1/me").status_code == 200
    assert (app.logins, again.resumed) == (2, False)


def test_a_429_is_waited_out_when_retry_after_fits_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("facturino_verify.clients.sanctum.time.sleep", slept.append)
    app, booked = FakeApp(), []  # type: ignore[var-annotated]
    app.throttle = [2]
    s = session(app, None, booked, deadline=time.time() + 30)
    assert s.get("/api/v1/me").status_code == 200
    assert slept == [2.0 + RETRY_AFTER_MARGIN]
    assert booked == ["login as admin@x", "login as admin@x (after a 429)"]


def test_a_429_stays_in_the_exchange_and_each_login_is_judged_on_the_cookie_it_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The 429 re-sets XSRF-TOKEN; the retry sends the new value, as the SPA would. Judged
    against the csrf-cookie's value it looked wrong (a false ROLLBACK in 2 of 2 throttled
    features runs); judged against the cookie held when it was sent, it is right."""
    monkeypatch.setattr("facturino_verify.clients.sanctum.time.sleep", lambda _: None)
    app, booked = FakeApp(), []  # type: ignore[var-annotated]
    app.throttle = [2]
    s = session(app, None, booked, deadline=time.time() + 30)
    assert s.get("/api/v1/me").status_code == 200
    csrf, throttled, retried = s.login_exchange
    assert (csrf.status_code, throttled.status_code, retried.status_code) == (204, 429, 200)
    held = login.cookies_held_at_each_login(s.login_exchange)
    assert [(answer.status_code, cookie) for answer, cookie in held] == [
        (429, csrf.cookies["XSRF-TOKEN"]),
        (200, throttled.cookies["XSRF-TOKEN"]),
    ]
    for answer, cookie in held:
        login.expect_login_headers(
            answer.request.headers.get("X-XSRF-TOKEN"),
            cookie,
            answer.request.headers.get("Referer"),
            BASE,
        )
    with pytest.raises(CheckFailed, match="a different value"):  # the comparison that misled
        login.expect_login_headers(
            retried.request.headers.get("X-XSRF-TOKEN"),
            csrf.cookies["XSRF-TOKEN"],
            retried.request.headers.get("Referer"),
            BASE,
        )


def resumed_but_forgotten(app: FakeApp, store: SessionStore) -> None:
    """An earlier run's session, saved in ``store``, that a redeploy made the app forget."""
    session(app, store, []).get("/api/v1/me")
    app.sessions.clear()


def test_a_request_after_the_re_sign_in_carries_the_fresh_sessions_xsrf(tmp_path: Path) -> None:
    """A POST answered 419/401 on a forgotten session is asked again with the new session's
    cookies *and* its X-XSRF-TOKEN (the old token would be a CSRF mismatch)."""
    app, store = FakeApp(), SessionStore(tmp_path, BASE, 3600)
    resumed_but_forgotten(app, store)
    again = session(app, store, [])
    assert again.request("POST", "/api/v1/invoices", json={}).status_code == 200
    assert (app.logins, again.resumed) == (2, False)


def test_threads_sharing_a_forgotten_session_sign_in_once_and_nothing_is_cut_off(
    tmp_path: Path,
) -> None:
    """Every probe of a run shares the session: all of them are answered 401 at once, one
    fresh sign-in follows, each asks again in it. The forgotten session's connections stay
    open while others may still be using them (closing them cut a request off: a fake network
    error, retried and reported FLAKY), until the session closes."""
    app, store, booked = FakeApp(), SessionStore(tmp_path, BASE, 3600), []  # type: ignore[var-annotated]
    resumed_but_forgotten(app, store)
    shared = session(app, store, booked)
    old = shared.client()
    app.in_flight = threading.Barrier(6)
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: shared.get("/api/v1/me").status_code, range(6)))
    assert statuses == [200] * 6
    assert (app.logins, booked) == (2, ["login as admin@x (the saved session expired)"])
    assert not old.is_closed and shared.client() is not old
    shared.close()
    assert old.is_closed


def test_a_throttled_re_sign_in_is_not_judged_for_every_thread_never_their_401(
    tmp_path: Path,
) -> None:
    app, store = FakeApp(), SessionStore(tmp_path, BASE, 3600)
    resumed_but_forgotten(app, store)

    def throttled(purpose: str) -> None:
        raise AuthThrottled(purpose, "5 auth calls in the last minute", "run again in a minute")

    shared = SanctumSession(FakeHttp(app), "admin@x", "pw", on_auth_call=throttled, store=store)
    shared.client()
    app.in_flight = threading.Barrier(4)

    def ask(_: int) -> str:
        try:
            return str(shared.get("/api/v1/me").status_code)
        except AuthThrottled:
            return "not judged"

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(ask, range(4))) == ["not judged"] * 4
    with pytest.raises(AuthThrottled):
        shared.signed_in()  # the browser's cookies: the same answer, no second sign-in


def test_a_429_longer_than_the_run_is_not_the_deployments_failure(tmp_path: Path) -> None:
    app, booked = FakeApp(), []  # type: ignore[var-annotated]
    app.throttle = [60]
    s = session(app, None, booked, deadline=time.time() + 5)
    with pytest.raises(AuthThrottled, match="429 Too Many Attempts"):
        s.get("/api/v1/me")


def test_the_budget_books_in_the_ledger(tmp_path: Path) -> None:
    clock = Clock()
    budget = AuthBudget(2, ledger=ledger(tmp_path / "a.json", clock, 2), deadline=clock.now)
    budget.spend("one")
    budget.spend("two")
    with pytest.raises(AuthThrottled):
        budget.spend("three")
    assert budget.purposes == ["one", "two"]


CHECKS = """
import pytest
from facturino_verify.clients.ledger import AuthThrottled

def test_feature_flags_match():
    raise AuthThrottled("login as admin@x", "the app answered 429", "run again in a minute")

def test_up_answers():
    pass
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makefile(".toml", env='[target]\nurl = "https://127.0.0.1:9"\n')
    pytester.makepyfile(test_checks=source)
    return pytester.runpytest("--env-file=env.toml", *RUN, *args)


def test_a_throttled_sign_in_is_not_judged_and_the_run_is_inconclusive(
    pytester: pytest.Pytester,
) -> None:
    result = run(pytester, CHECKS, "-v")
    assert result.ret == EXIT_CODES["INCONCLUSIVE"]
    result.stdout.fnmatch_lines(
        [
            "*test_feature_flags_match NOT JUDGED*",
            "*VERDICT: INCONCLUSIVE*1 check(s) not judged (test_feature_flags_match)*429*",
        ]
    )
    summary: dict[str, Any] = json.loads((pytester.path / "reports" / "summary.json").read_text())
    outcomes = {c["name"]: c["outcome"] for c in summary["checks"]}
    assert outcomes == {"test_feature_flags_match": "not_judged", "test_up_answers": "passed"}


def test_a_real_failure_still_wins_over_a_check_not_judged(pytester: pytest.Pytester) -> None:
    source = CHECKS.replace("def test_up_answers():\n    pass", "def test_up_answers():\n    1/0")
    assert run(pytester, source).ret == EXIT_CODES["ROLLBACK"]
