"""The reference deployment itself: real processes, real TLS, real cookies, real faults.

Each deployment takes about 2 s to start; the healthy one is shared by the module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import unquote

import httpx
import psycopg
import pytest
import redis

from facturino_reference import Deployment, DeploymentError, artisan, free_port_base
from facturino_reference.cli import main as cli_main
from facturino_reference.procs import pid_alive, port_accepts
from facturino_reference.sandbox import PADDLE_VALID_API_KEY
from facturino_reference.state import State
from facturino_verify.checks.artisan import parse_migrate_status
from facturino_verify.checks.data import parse_manifest
from facturino_verify.clients.queueprobe import probe_payload
from facturino_verify.config.model import HEALTH_CHECKS as DEFAULT_HEALTH_CHECKS

from .reference_runs import claimed_ports, started

MANIFEST = Path(__file__).parent.parent / "fixtures" / "migrations" / "facturino-d5d901d.txt"
ADMIN = {"email": "admin@facturino.test", "password": "reference-admin-secret"}
# The subsystems the smoke gate expects in /health (its defaults, one list for both).
HEALTH_CHECKS = set(DEFAULT_HEALTH_CHECKS)


def _new_deployment(*faults: str) -> Deployment:
    # Not pytest's tmp_path: its 0700 parents keep the `postgres` user out.
    home = Path(tempfile.mkdtemp(prefix="fr-test-", dir="/tmp"))
    return Deployment(home, free_port_base(), list(faults))


def _client(dep: Deployment, **headers: str) -> httpx.Client:
    verify = ssl.create_default_context(cafile=str(dep.ca_file))
    return httpx.Client(base_url=dep.url, verify=verify, timeout=5.0, headers=headers)


def _running(*faults: str) -> AbstractContextManager[Deployment]:
    return started(free_port_base, faults)


@pytest.fixture(scope="module")
def healthy() -> Iterator[Deployment]:
    """A fault-free deployment shared by the surface tests."""
    with _running() as dep:
        yield dep


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header, flags included)."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def test_up_and_health_are_healthy(healthy: Deployment) -> None:
    with _client(healthy) as client:
        up = client.get("/up")
        health = client.get("/health", headers={"Accept": "application/json"})
    assert up.status_code == 200
    assert "Application up" in up.text and "<title>Facturino</title>" in up.text
    assert "set-cookie" not in up.headers
    body = health.json()
    assert health.status_code == 200, body
    assert body["status"] == "healthy" and body["environment"] == "production"
    assert body["checks"] == dict.fromkeys(HEALTH_CHECKS, True)


def test_web_cookies_are_laravel_encrypted_with_the_app_key(healthy: Deployment) -> None:
    with _client(healthy) as client:
        response = client.get("/login")
    cookies = _set_cookies(response)
    session, xsrf = cookies["facturino_session"].lower(), cookies["XSRF-TOKEN"].lower()
    assert all(flag in session for flag in ("httponly", "secure", "samesite=lax", "path=/"))
    assert "httponly" not in xsrf and "secure" in xsrf
    state = State.load(healthy.layout.state_file)
    assert state is not None
    key = base64.b64decode(state.app_key.removeprefix("base64:"))
    payload = json.loads(base64.b64decode(unquote(response.cookies["XSRF-TOKEN"])))
    mac = hmac.new(key, (payload["iv"] + payload["value"]).encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, payload["mac"])


def test_security_headers_on_the_app_not_on_static_assets(healthy: Deployment) -> None:
    with _client(healthy) as client:
        page = client.get("/login")
        bundle_path = page.text.split('type="module" src="', 1)[1].split('"', 1)[0]
        bundle = client.get(bundle_path)
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    # The SPA shell (app.blade.php): the form is drawn by the front end, never in the HTML.
    assert 'name="csrf-token"' in page.text and "window.Facturino.start()" in page.text
    assert "loginForm" not in page.text and 'rel="modulepreload"' in page.text
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("application/javascript")
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" not in bundle.headers


def test_sanctum_login_bootstrap_logout(healthy: Deployment) -> None:
    with _client(healthy, Accept="application/json", Referer=healthy.url + "/") as client:
        assert client.get("/sanctum/csrf-cookie").status_code == 204

        def xsrf() -> dict[str, str]:
            return {"X-XSRF-TOKEN": unquote(client.cookies["XSRF-TOKEN"])}

        wrong = client.post(
            "/api/v1/auth/login", json={**ADMIN, "password": "nope"}, headers=xsrf()
        )
        assert wrong.status_code == 422
        assert wrong.json()["errors"]["email"] == ["These credentials do not match our records."]
        before = client.cookies["facturino_session"]
        login = client.post("/api/v1/auth/login", json=ADMIN, headers=xsrf())
        assert login.status_code == 200 and login.json()["user"]["role"] == "admin"
        assert client.cookies["facturino_session"] != before  # session id regenerated
        boot = client.get("/api/v1/bootstrap").json()
        assert boot["current_company"]["id"] == 1
        assert boot["feature_flags"]["stock"] is True
        assert boot["feature_flags"]["mcp_ai_tools"] is False
        assert client.post("/api/v1/auth/logout", headers=xsrf()).json() == {"success": True}
        assert client.get("/api/v1/bootstrap").status_code == 401


def test_http_port_redirects_to_https(healthy: Deployment) -> None:
    response = httpx.get(healthy.http_url + "/login?x=1", timeout=5.0)
    assert response.status_code == 301
    assert response.headers["location"] == healthy.url + "/login?x=1"


def _db(dep: Deployment) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1",
        port=dep.ports["postgres"],
        dbname="facturino",
        user="facturino",
        password="reference-db-secret",
        autocommit=True,
    )


def test_worker_runs_the_apps_harmless_job_and_fails_a_class_it_does_not_have(
    healthy: Deployment,
) -> None:
    """BackfillTaxReturnsJob (dry run) is done; a class the app lacks (the suite's old
    App\\Jobs\\ReferenceProbe) fails into failed_jobs, as a real worker fails it."""
    harmless = probe_payload("App\\Jobs\\BackfillTaxReturnsJob", "probe-ok")
    missing = json.dumps(
        {"uuid": "probe-missing", "maxTries": 1, "displayName": "App\\Jobs\\ReferenceProbe",
         "data": {"commandName": "App\\Jobs\\ReferenceProbe"}}
    )  # fmt: skip
    with _db(healthy) as conn:
        now = int(time.time())
        for payload in (harmless, missing):
            conn.execute(
                "INSERT INTO jobs (queue, payload, attempts, available_at, created_at) "
                "VALUES ('default', %s, 0, %s, %s)",
                (payload, now, now),
            )
        deadline = time.monotonic() + 5
        while conn.execute("SELECT count(*) FROM jobs").fetchone() != (0,):
            assert time.monotonic() < deadline, "the worker did not take the jobs"
            time.sleep(0.1)
        failed = conn.execute("SELECT uuid, exception FROM failed_jobs").fetchall()
    assert [uuid for uuid, _ in failed] == ["probe-missing"]
    assert str(failed[0][1]).startswith(
        'UnknownJobError: Class "App\\Jobs\\ReferenceProbe" not found'
    )


# Each fault below breaks what one of /health's five cannot-fail sub-checks is named after.
HEALTH_FAULTS = (
    "signer_cert_missing",
    "company_certificate_expiring",
    "bank_sync_failing",
    "paddle_unusable",
    "redis_queue_db_invalid",
)


@pytest.mark.parametrize(
    ("profile", "failing"),
    [("upstream", set()), ("default", {"signer", "certificates", "bank_sync", "paddle", "redis"})],
)
def test_health_sub_checks_report_their_faults_only_where_the_controller_is_fixed(
    profile: str, failing: set[str]
) -> None:
    with started(free_port_base, HEALTH_FAULTS, profile=profile) as dep, _client(dep) as client:
        health = client.get("/health", headers={"Accept": "application/json"})
    checks = health.json()["checks"]
    assert {name for name, ok in checks.items() if not ok} == failing
    assert health.status_code == (503 if failing else 200)


def test_the_paddle_sandbox_accepts_only_its_valid_key(healthy: Deployment) -> None:
    """What the fixed /health paddle check asks (PADDLE_API_URL): the sandbox's valid key gets
    the products, any other one 403 (the `paddle_unusable` fault configures a revoked key)."""
    url = f"http://127.0.0.1:{healthy.ports['psd2']}/paddle/products?per_page=1"
    good = httpx.get(url, headers={"Authorization": f"Bearer {PADDLE_VALID_API_KEY}"})
    revoked = httpx.get(url, headers={"Authorization": "Bearer pdl_sdbx_apikey_revoked"})
    assert good.status_code == 200 and good.json()["data"]
    assert revoked.status_code == 403 and revoked.json()["error"]["code"] == "forbidden"


def test_sessions_live_where_the_session_driver_says() -> None:
    """SESSION_DRIVER=redis without SESSION_CONNECTION: Laravel's `default` connection (DB 0);
    the baked database drivers: the `sessions` and `cache` tables, nothing in Redis."""
    with _running() as dep:
        in_redis = _app_keys_after_requests(dep)
    assert in_redis[0] >= 1 and in_redis[1] >= 1 and in_redis[2] == 0
    with _running("baked_cache_drivers") as dep:
        in_redis = _app_keys_after_requests(dep)
        with _db(dep) as conn:
            sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()
            cached = conn.execute("SELECT count(*) FROM cache").fetchone()
    assert in_redis == {0: 0, 1: 0, 2: 0}
    assert sessions is not None and sessions[0] >= 1
    assert cached is not None and cached[0] >= 1  # the login's rate limiter


def _app_keys_after_requests(dep: Deployment) -> dict[int, int]:
    with _client(dep, Accept="application/json") as client:
        client.get("/login")
        client.get("/sanctum/csrf-cookie")
        token = unquote(client.cookies["XSRF-TOKEN"])
        client.post(
            "/api/v1/auth/login",
            json=ADMIN,
            headers={"X-XSRF-TOKEN": token, "Referer": dep.url + "/login"},
        )
    counts = {}
    for db in (0, 1, 2):
        client_ = redis.Redis(port=dep.ports["redis"], password="reference-redis-secret", db=db)
        with client_:
            counts[db] = len(list(client_.scan_iter(match="facturino_mkaccounting_cache*")))
    return counts


def test_migrate_status_lists_every_migration_of_the_release_as_laravel_12_prints_it(
    healthy: Deployment,
) -> None:
    """All 442 files of d5d901d7 (four with non-standard names) Ran, oldest first; install-time
    migrations in batch 1, one batch per later deploy day, the newest in the last batch."""
    code, out, _ = artisan.run(healthy.home, ["php", "artisan", "migrate:status"])
    assert code == 0
    states = parse_migrate_status(out)
    manifest = parse_manifest(MANIFEST.read_text())
    assert [s.name for s in states] == manifest == sorted(manifest)
    assert len(states) == 442 and {s.status for s in states} == {"Ran"}
    assert {"2025_07_24_core", "2025_08_50_create_account_suggestion_feedback_table"} <= {
        s.name for s in states
    }
    batches = [s.batch or 0 for s in states]
    assert batches[0] == 1 and batches == sorted(batches)
    assert states[-1].name == "2026_08_18_000001_make_audit_logs_company_id_nullable"
    assert states[-1].batch == max(batches) > states[-2].batch  # type: ignore[operator]
    assert "Migration name" in out.splitlines()[1] and "Batch / Status" in out.splitlines()[1]


def test_maintenance_mode_signature() -> None:
    with _running("maintenance_mode") as dep, _client(dep) as client:
        page = client.get("/up")
        api = client.get("/api/ping", headers={"Accept": "application/json"})
    assert page.status_code == 503 and page.headers["retry-after"] == "60"
    assert "Service Unavailable - Facturino" in page.text
    assert "content-security-policy" not in page.headers
    assert api.status_code == 503 and api.json() == {"message": "Service Unavailable"}


def test_redis_down_signature() -> None:
    with _running("redis_down") as dep, _client(dep) as client:
        health = client.get("/health", headers={"Accept": "application/json"})
        login = client.get("/login")
        up = client.get("/up")
        api = client.get("/api/ping")
    assert health.status_code == 500 and health.json() == {"message": "Server Error"}
    assert login.status_code == 500 and "Error ID:" in login.text
    assert up.status_code == 200 and api.status_code == 200


def test_down_leaves_nothing_running() -> None:
    with claimed_ports():
        dep = _new_deployment("db_down")
        state = dep.up()
    assert not pid_alive(state.pids["postgres"])  # the fault stopped it on purpose
    assert dep.down() is True
    assert not dep.home.exists()
    assert not any(pid_alive(pid) for pid in state.pids.values())
    assert not any(port_accepts(port) for port in state.ports.values())
    assert dep.down() is False  # idempotent


def test_busy_port_is_named_in_the_error() -> None:
    with claimed_ports():
        _busy_port_fails_up(_new_deployment())


def _busy_port_fails_up(dep: Deployment) -> None:
    try:
        with socket.socket() as blocker:
            blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME-WAITs
            blocker.bind(("127.0.0.1", dep.ports["redis"]))
            blocker.listen()
            with pytest.raises(DeploymentError, match=rf"port {dep.ports['redis']} \(Redis\)"):
                dep.up()
    finally:
        dep.down()


def test_cli_rejects_an_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["up", "--home", "/tmp/fr-test-never", "--fault", "redis_dwn"]) == 1
    assert "Did you mean 'redis_down'?" in capsys.readouterr().err
    assert not Path("/tmp/fr-test-never").exists()


def test_cli_explains_a_retired_fault(capsys: pytest.CaptureFixture[str]) -> None:
    """`metrics_public` described a bearer token the real app never had (routes/web.php:170)."""
    assert cli_main(["up", "--home", "/tmp/fr-test-never", "--fault", "metrics_public"]) == 1
    err = capsys.readouterr().err
    assert "Fault 'metrics_public' was retired" in err and "'monitoring_disabled'" in err
    assert not Path("/tmp/fr-test-never").exists()


def test_metrics_has_no_auth_and_names_families_as_the_exporter(healthy: Deployment) -> None:
    """routes/web.php:170: only the monitoring feature gates /metrics (a token changes nothing);
    the fixed controller's gauges carry the exporter's `fakturino` namespace, the middleware
    counts requests by status_class and not the scrapes themselves."""
    with _client(healthy) as client:
        client.get("/ping")
        anonymous = client.get("/metrics")
        with_token = client.get("/metrics", headers={"Authorization": "Bearer anything"})
        test = client.get("/metrics/test")
    assert anonymous.status_code == with_token.status_code == 200
    assert anonymous.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    for line in (
        "fakturino_invoiceshelf_database_healthy 1.0",
        "# TYPE fakturino_invoiceshelf_queue_jobs_pending gauge",
        "# TYPE fakturino_fakturino_signer_cert_expiry_days gauge",
        'fakturino_http_requests_total{method="GET",route="ping",status_class="2xx"}',
    ):
        assert line in anonymous.text, line
    assert 'route="metrics"' not in with_token.text
    assert "\ninvoiceshelf_" not in anonymous.text and "\nhttp_requests_total" not in anonymous.text
    assert (test.status_code, test.text) == (200, "# Test metrics endpoint working")


def test_upstream_metrics_answers_laravels_500_and_health_still_works() -> None:
    """d5d901d7: the controller's clear() is a PHP Error the handler renders (APP_DEBUG off)."""
    with started(free_port_base, profile="upstream") as dep, _client(dep) as client:
        page = client.get("/metrics")
        as_json = client.get("/metrics", headers={"Accept": "application/json"})
        health = client.get("/metrics/health")
    assert page.status_code == 500 and "<title>Server Error - Facturino</title>" in page.text
    assert "clear()" not in page.text  # no details without APP_DEBUG
    assert (as_json.status_code, as_json.json()) == (500, {"message": "Server Error"})
    assert health.status_code == 200 and health.json()["checks"] == {
        "database": "healthy",
        "cache": "healthy",
    }
