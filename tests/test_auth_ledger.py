"""The suite's own sign-ins never become the deployment's failure: one auth ledger per target
for every run on the machine, sessions reused between runs, a 429 waited out or *not judged*."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from facturino_verify.clients.budget import AuthBudget
from facturino_verify.clients.http import HttpClient
from facturino_verify.clients.ledger import AuthLedger, AuthThrottled, SessionStore
from facturino_verify.clients.sanctum import SanctumSession
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


class FakeApp:
    """The app's auth routes: csrf-cookie, login (maybe throttled), a page behind auth."""

    def __init__(self) -> None:
        self.sessions: set[str] = set()
        self.logins = 0
        self.throttle: list[int] = []  # Retry-After seconds of the next logins' 429s

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/sanctum/csrf-cookie":
            return httpx.Response(204, headers={"Set-Cookie": "XSRF-TOKEN=t; Path=/"})
        if path == "/api/v1/auth/login":
            if self.throttle:
                return httpx.Response(429, headers={"Retry-After": str(self.throttle.pop(0))})
            self.logins += 1
            sid = f"s{self.logins}"
            self.sessions.add(sid)
            return httpx.Response(
                200,
                json={"success": True, "user": {"role": "super admin"}},
                headers={"Set-Cookie": f"facturino_session={sid}; Path=/; HttpOnly"},
            )
        sid = request.headers.get("cookie", "").partition("facturino_session=")[2].split(";")[0]
        return httpx.Response(200 if sid in self.sessions else 401, json={})


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
    assert slept == [2.0] and booked == ["login as admin@x", "login as admin@x (after a 429)"]


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
