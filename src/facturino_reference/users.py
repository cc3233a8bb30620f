"""Simulated users: a light, steady stream of real HTTPS requests, as the SPA makes them.

`python -m facturino_reference.users --home DIR --rate R` runs three virtual users over kept-alive
connections: an anonymous visitor (`/ping` and `/api/v1/app/version`) at R/10 requests per
second, and two browser tabs of the signed-in admin (one login) at 9R/20 each, loading the
dashboard as the SPA does: bootstrap, `/api/v1/app/version` (asked on every page view), the
dashboard API and the page. It gives `/metrics` and a
Prometheus server real traffic to measure, so an error rate or a latency percentile over a
short window means something. A slow answer delays that user's next request (no bursts). It
only reads.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import signal
import ssl
import threading
import time
from itertools import cycle
from pathlib import Path
from types import FrameType
from urllib.parse import unquote

import httpx

from facturino_reference.appenv import AppConfig, Secrets
from facturino_reference.seed import ADMIN_EMAIL

DEFAULT_RATE = 10.0  # requests per second over both users
ANONYMOUS = ("/ping", "/api/v1/app/version")
SIGNED_IN = ("/api/v1/bootstrap", "/api/v1/app/version", "/api/v1/dashboard", "/admin/dashboard")
USERS_ADDRESS = "127.0.0.2"  # any 127/8 address is loopback on Linux
LOGIN_RETRY_SECONDS = 60.0  # the `auth` limiter allows 5 calls per minute per IP


def _log(message: str) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} {message}", flush=True)


class Users:
    def __init__(self, config: AppConfig, rate: float) -> None:
        self.base = f"https://localhost:{config.int('HTTPS_PORT')}"
        self.verify = ssl.create_default_context(cafile=str(config.layout.ca_pem))
        self.rate = rate
        self.password = Secrets.from_environ().admin_password
        self.stop_event = threading.Event()
        self.statuses: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.signed_in = self._client()  # shared by the admin's tabs (one session)
        self.login_lock = threading.Lock()
        self.logged_in, self.next_login = False, 0.0

    def stop(self, _sig: int, _frame: FrameType | None) -> None:
        self.stop_event.set()

    def _client(self) -> httpx.Client:
        # Users are other clients than the suite: from 127.0.0.2, so the app's per-IP limits
        # (5 sign-ins a minute) count their sign-in, not the suite's (a shared IP made the
        # suite's fifth sign-in of a run a 429 whenever a user signed in within its minute).
        return httpx.Client(
            base_url=self.base,
            verify=self.verify,
            transport=httpx.HTTPTransport(verify=self.verify, local_address=USERS_ADDRESS),
            timeout=10.0,
            headers={"Accept": "application/json", "Referer": self.base + "/"},
        )

    def _count(self, status: str) -> None:
        with self.lock:
            self.statuses[status] += 1

    def _get(self, client: httpx.Client, path: str) -> None:
        headers = {}
        if "XSRF-TOKEN" in client.cookies:
            headers["X-XSRF-TOKEN"] = unquote(client.cookies["XSRF-TOKEN"])
        try:
            status = str(client.get(path, headers=headers).status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        self._count(status)

    def _ensure_login(self) -> bool:
        """One login for both tabs; after a failure, the next try waits a minute."""
        with self.login_lock:
            if not self.logged_in and time.monotonic() >= self.next_login:
                self.next_login = time.monotonic() + LOGIN_RETRY_SECONDS
                self.logged_in = self._login(self.signed_in)
            return self.logged_in

    def _login(self, client: httpx.Client) -> bool:
        try:
            client.get("/sanctum/csrf-cookie")
            token = unquote(client.cookies.get("XSRF-TOKEN") or "")
            answer = client.post(
                "/api/v1/auth/login",
                json={"email": ADMIN_EMAIL, "password": self.password, "remember": False},
                headers={"X-XSRF-TOKEN": token},
            )
        except httpx.HTTPError as exc:
            _log(f"login failed: {type(exc).__name__}")
            return False
        if answer.status_code != 200:
            _log(f"login answered {answer.status_code}; the admin's tabs wait a minute")
        return answer.status_code == 200

    def _browse(self, paths: tuple[str, ...], interval: float, signed_in: bool) -> None:
        client = self.signed_in if signed_in else self._client()
        tick = time.monotonic()
        for path in cycle(paths):
            if self.stop_event.is_set():
                return
            if not signed_in or self._ensure_login():
                self._get(client, path)
            # Steady pace; a slow answer delays the next request, it never causes a burst.
            tick = max(tick + interval, time.monotonic())
            self.stop_event.wait(max(0.0, tick - time.monotonic()))

    def run(self) -> None:
        users = [
            (ANONYMOUS, 10.0 / self.rate, False),
            (SIGNED_IN, 20.0 / (9 * self.rate), True),
            (SIGNED_IN[2:] + SIGNED_IN[:2], 20.0 / (9 * self.rate), True),  # a second tab
        ]
        threads = [threading.Thread(target=self._browse, args=u, daemon=True) for u in users]
        for thread in threads:
            thread.start()
        while not self.stop_event.wait(10.0):
            with self.lock:
                _log(f"responses so far: {dict(sorted(self.statuses.items()))}")
        for thread in threads:
            thread.join(timeout=11.0)
        self.signed_in.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="facturino_reference.users")
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    args = parser.parse_args(argv)
    users = Users(AppConfig.load(args.home), max(args.rate, 0.1))
    signal.signal(signal.SIGTERM, users.stop)
    signal.signal(signal.SIGINT, users.stop)
    _log(f"simulated users browsing {users.base} at {args.rate:g} requests/s")
    users.run()
    _log("users stopped")


if __name__ == "__main__":
    main()
