"""A gate that can be trusted: planted secrets reach no artifact, and the verdict can be pushed
to a Pushgateway (a failed push never changes the verdict)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")
CANARIES = {
    "FACTURINO_CANARY_DB": "canary-db-7f3a9c1e",
    "FACTURINO_CANARY_ADMIN": "canary-admin-2b8d4e6f",
    "FACTURINO_CANARY_PARTNER": "canary-partner-9c1a7b3d",
    "FACTURINO_CANARY_TOKEN": "canary-metrics-5e2f8a0c",
    "FACTURINO_CANARY_REDIS": "canary-redis-4d6b2c8e",
}
ENV_FILE = """
[target]
url = "https://127.0.0.1:9"
connect_timeout = 0.5
[database]
host = "127.0.0.1"
port = 9
name = "facturino"
user = "verify"
password = "${FACTURINO_CANARY_DB}"
newest_migration = "2026_08_18_000001_make_audit_logs_company_id_nullable"
[redis]
host = "127.0.0.1"
port = 9
password = "${FACTURINO_CANARY_REDIS}"
[accounts.admin]
email = "admin@example.test"
password = "${FACTURINO_CANARY_ADMIN}"
[accounts.partner]
email = "partner@example.test"
password = "${FACTURINO_CANARY_PARTNER}"
[metrics]
token = "${FACTURINO_CANARY_TOKEN}"
"""
# Checks that echo every secret the ways real failures do: assertion messages, a DSN in a
# driver error, an HTTP body, logs, stdout, recorded evidence; plus real probes that fail.
ECHOING_TESTS = """
import logging
import pytest

def test_up_returns_200_application_up(probes):
    probes.result("up")

def test_database_answers_select_1(probes):
    probes.result("db.version")

def test_echo_in_assertion(environment):
    db = environment.database.password.get_secret_value()
    assert False, f"login failed for postgres://verify:{db}@db.internal/facturino"

def test_echo_in_logs_and_stdout(environment, record_property):
    admin = environment.accounts["admin"].password.get_secret_value()
    token = environment.metrics.token.get_secret_value()
    logging.getLogger("facturino").warning("password=%s", admin)
    print(f"Authorization: Bearer {token}")
    record_property("evidence", f"token {token}")
    raise RuntimeError(f"HTTP 500 body: {{'password': '{admin}', 'x': 1}}")

def test_echo_partner_and_redis_in_body(environment):
    partner = environment.accounts["partner"].password.get_secret_value()
    redis_pw = environment.redis.password.get_secret_value()
    assert partner == "", f"redis://:{redis_pw}@cache:6379/1 said {partner}"
"""


@pytest.fixture
def planted(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    pytester.makefile(".toml", env=ENV_FILE)
    pytester.makepyfile(test_echo=ECHOING_TESTS)
    return pytester.path


def artifacts(root: Path, output: str) -> dict[str, str]:
    found = {"terminal": output}
    for path in (root / "reports").rglob("*"):
        if path.is_file():
            found[str(path.relative_to(root))] = path.read_text(errors="replace")
    return found


def test_planted_secrets_reach_no_artifact(pytester: pytest.Pytester, planted: Path) -> None:
    result = pytester.runpytest_subprocess(
        "--env-file=env.toml", *RUN, "-rA", "--log-level=WARNING", "-o", "log_cli=true"
    )
    assert result.ret != 0
    seen = artifacts(planted, result.stdout.str() + result.stderr.str())
    assert {"reports/report.html", "reports/junit.xml", "reports/summary.json"} <= set(seen)
    leaks = {name: [c for c in CANARIES.values() if c in text] for name, text in seen.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    # The failures are still reported, with the secrets masked.
    assert "«redacted»" in seen["terminal"] and "«redacted»" in seen["reports/junit.xml"]


class _Pushgateway(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, str]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.received.append((self.command, self.path, body))
        self.send_response(200)
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def pushgateway() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    server = HTTPServer(("127.0.0.1", 0), _Pushgateway)
    _Pushgateway.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Pushgateway.received
    server.shutdown()


def test_verdict_is_pushed_to_the_pushgateway(
    pytester: pytest.Pytester, pushgateway: tuple[str, list[tuple[str, str, str]]]
) -> None:
    url, received = pushgateway
    pytester.makefile(
        ".toml", env=f'[target]\nurl = "https://127.0.0.1:9"\n[report]\npushgateway_url = "{url}"\n'
    )
    pytester.makepyfile("def test_up_answers():\n    assert False\n")
    result = pytester.runpytest("--env-file=env.toml", *RUN)
    assert result.ret == 12
    assert len(received) == 1
    _, path, body = received[0]
    assert path == "/metrics/job/facturino_verify/environment/env"
    assert 'facturino_verify_verdict{environment="env",verdict="ROLLBACK"} 1.0' in body
    assert 'facturino_verify_exit_code{environment="env"} 12.0' in body
    summary = json.loads((pytester.path / "reports" / "summary.json").read_text())
    assert summary["pushgateway"] == "pushed"


def test_failed_push_is_reported_and_changes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml",
        env='[target]\nurl = "https://127.0.0.1:9"\n[report]\n'
        'pushgateway_url = "http://127.0.0.1:9"\n',
    )
    pytester.makepyfile("def test_ok():\n    pass\n")
    result = pytester.runpytest("--env-file=env.toml", *RUN)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["pushgateway: push failed*"])


def test_a_service_that_cannot_be_asked_is_one_sentence_not_a_traceback(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".toml", env='[target]\nurl = "https://127.0.0.1:9"\n')
    pytester.makepyfile(
        "import pytest\n"
        "from facturino_verify.clients.errors import ConnectionRefused\n\n"
        "@pytest.fixture\n"
        "def queue():\n"
        "    raise ConnectionRefused('Redis 10.0.0.5:6379', 'Error 111', 'is Redis running?')\n\n"
        "def test_sync(queue):\n"
        "    pass\n"
    )
    result = pytester.runpytest("--env-file=env.toml", *RUN)
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ["*could not ask the deployment: Redis 10.0.0.5:6379: connection refused: Error 111*"]
    )
    assert "Traceback" not in result.stdout.str() and "raise ConnectionRefused" not in (
        result.stdout.str()
    )
