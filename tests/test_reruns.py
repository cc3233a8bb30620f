"""A gate that never cries wolf (issue 11), against a reference deployment with the app's auth
rate limit ON (5 calls per minute per IP, as production): a throttled sign-in is waited out or
not judged, never failed; a redeploy that forgot the saved sessions costs exactly one fresh
sign-in per account, which is neither a failure nor a network retry."""

from __future__ import annotations

import json
import ssl
import subprocess
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from facturino_reference import Deployment, free_port_base
from facturino_verify.clients.sanctum import EXPIRED
from facturino_verify.verdict import EXIT_CODES

from .reference_runs import REFERENCE, SuiteRun, claimed_ports, run_suite, started

pytestmark = pytest.mark.fault_matrix
RATE_LIMIT_VAR = "FACTURINO_REFERENCE_AUTH_RATE_LIMIT"
# What a run after a redeploy books: one re-sign-in per account, nothing else.
ONE_FRESH_SIGN_IN_EACH = [
    f"login as admin@facturino.test ({EXPIRED})",
    f"login as partner@facturino.test ({EXPIRED})",
]


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """A reference deployment with the app's own auth limit (nothing lifts it here)."""
    monkeypatch.delenv(RATE_LIMIT_VAR, raising=False)
    with started(lambda: free_port_base(28000, 32000, 500), prefix="fr-reruns-") as dep:
        yield dep


def redeploy(dep: Deployment) -> None:
    """`facturino-reference up` again on the same home: a new release (a new APP_KEY, the
    session store flushed), on the same URL. Under the port lock: its ports are free for a
    moment, and another test choosing a base must not take them."""
    command = [REFERENCE, "up", "--home", str(dep.home), "--port-base", str(dep.port_base)]
    with claimed_ports():
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def spend_the_apps_minute(dep: Deployment) -> list[int]:
    """Another client on this IP uses the minute's auth calls (GET /api/v1/auth/check is
    throttled like the login); the answers, the last of which is the app's 429."""
    target = tomllib.loads(dep.env_file.read_text())["target"]
    trust = ssl.create_default_context(cafile=target["ca_file"])
    with httpx.Client(base_url=target["url"], verify=trust) as client:
        return [client.get("/api/v1/auth/check").status_code for _ in range(6)]


def suite(dep: Deployment, cache: Path, reports: Path, marker: str, *args: str) -> SuiteRun:
    """One run sharing ``cache`` (the auth ledger and saved sessions) with the others."""
    overrides = {"FACTURINO_VERIFY_CACHE_DIR": str(cache)}
    return run_suite(dep.home, marker, *args, overrides=overrides, reports_dir=reports)


def summary(reports: Path) -> dict[str, Any]:
    return dict(json.loads((reports / "summary.json").read_text()))


def ledger_purposes(cache: Path, since: float = 0.0) -> list[str]:
    """What the runs booked in the auth ledger (in the last minute) after ``since``."""
    (path,) = (cache / "auth").glob("*.json")
    return [str(c[1]) for c in json.loads(path.read_text())["calls"] if float(c[0]) > since]


def test_a_throttled_minute_is_not_judged_by_smoke_and_waited_out_by_features(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The app answers 429 with Retry-After ≈ 60 s and re-sets XSRF-TOKEN. The gate cannot
    wait that long (20 s budget): its sign-in checks are not judged, INCONCLUSIVE. The features
    run waits it out and its login retry sends the cookie the 429 set: GO (it was ROLLBACK,
    the retry's header judged against the csrf-cookie's value, in 2 of 2 throttled runs)."""
    cache = tmp_path / "cache"
    assert spend_the_apps_minute(deployment)[-1] == 429
    gate = suite(deployment, cache, tmp_path / "smoke", "smoke")
    assert gate.exit_code == EXIT_CODES["INCONCLUSIVE"], gate.output[-2500:]
    assert gate.named("failed") == set(), gate.output[-2500:]
    not_judged = {
        c["name"] for c in summary(tmp_path / "smoke")["checks"] if c["outcome"] == "not_judged"
    }
    assert {
        "test_sign_in_as_admin_succeeds",
        "test_feature_flags_match_expected_matrix",
    } <= not_judged

    flows = suite(
        deployment, cache, tmp_path / "features", "features", "tests_features/test_login_api.py"
    )
    assert flows.exit_code == EXIT_CODES["GO"], flows.output[-2500:]
    assert flows.named("passed") >= {
        "test_api_login_sends_xsrf_header_and_stateful_referer",
        "test_api_login_accepts_the_admin_account",
    }
    # The app really throttled this run's login, and the run waited it out.
    assert "login as admin@facturino.test (after a 429)" in ledger_purposes(cache)


def test_a_redeploy_between_two_gates_signs_in_afresh_once_per_account(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The second run resumes the saved sessions, the app answers 401 (it forgot them), each
    account signs in afresh exactly once, and every check is judged on the fresh session: GO,
    nothing retried, nothing flaky (a re-sign-in is not a network retry)."""
    cache = tmp_path / "cache"
    first = suite(deployment, cache, tmp_path / "first", "smoke")
    assert first.exit_code == EXIT_CODES["GO"], first.output[-2500:]
    redeployed = time.time()
    redeploy(deployment)
    again = suite(deployment, cache, tmp_path / "again", "smoke")
    assert again.exit_code == EXIT_CODES["GO"], again.output[-2500:]
    checks = summary(tmp_path / "again")["checks"]
    assert [c["name"] for c in checks if c.get("retries") or c.get("flaky")] == []
    assert "flaky" not in again.output
    assert sorted(ledger_purposes(cache, since=redeployed)) == ONE_FRESH_SIGN_IN_EACH


def test_a_redeploy_between_two_feature_runs_hands_the_browser_the_fresh_session(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The partner flow reads the API in the shared sessions and hands their cookies to the
    browser (``signed_in()``); the login API checks judge the exchange of this run's sign-in.
    After a redeploy all of them follow the one fresh sign-in per account (no twin login for
    the login checks: the shared session's fresh exchange is this run's)."""
    cache = tmp_path / "cache"
    selected = ("-k", "partner or login_api")
    first = suite(deployment, cache, tmp_path / "first", "features", *selected)
    assert first.exit_code == EXIT_CODES["GO"], first.output[-2500:]
    redeployed = time.time()
    redeploy(deployment)
    again = suite(deployment, cache, tmp_path / "again", "features", *selected)
    assert again.exit_code == EXIT_CODES["GO"], again.output[-2500:]
    assert again.named("failed") == set() and again.named("skipped") == set()
    assert {
        "test_partner_dashboard_renders_commission_widgets_with_api_figures[chromium]",
        "test_api_login_sends_xsrf_header_and_stateful_referer",
        "test_non_partner_gets_403_from_the_partner_api",
    } <= again.named("passed")
    assert sorted(ledger_purposes(cache, since=redeployed)) == ONE_FRESH_SIGN_IN_EACH
