"""The feature flows' plugin parts: auth budget, polling, run tag, browser setup, trace
scrubbing, the invoice bodies, Playwright's artifact defaults."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import threading
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509

from facturino_verify.clients.budget import AuthBudget, AuthBudgetExhausted
from facturino_verify.clients.dialect import POSTGRESQL
from facturino_verify.clients.featuredb import QueuedJob
from facturino_verify.clients.http import HttpClient
from facturino_verify.clients.poll import poll
from facturino_verify.clients.redisjobs import queued_jobs
from facturino_verify.clients.sanctum import SanctumSession
from facturino_verify.config import ConfigError, Environment
from facturino_verify.runs import browser, sync_watch
from facturino_verify.runs.features import new_run_tag
from facturino_verify.runs.flows import invoice_bodies
from facturino_verify.runs.sync_watch import DatabaseJobs

from .conftest import WriteEnv


def _env(**sections: object) -> Environment:
    return Environment.model_validate({"target": {"url": "https://localhost:1"}, **sections})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_auth_budget_refuses_the_sixth_call_within_a_minute() -> None:
    clock = Clock()
    budget = AuthBudget(5, clock)
    for n in range(5):
        budget.spend(f"call {n}")
    with pytest.raises(AuthBudgetExhausted, match="would be auth call 6 within 60 s"):
        budget.spend("one more")
    clock.now = 61.0
    budget.spend("a minute later")
    assert budget.purposes[-1] == "a minute later"


def test_poll_returns_when_met_and_gives_up_at_the_deadline() -> None:
    clock = Clock()
    values = iter(range(100))
    met = poll(lambda: next(values), lambda v: v >= 3, 10.0, 0.5, clock, clock.sleep)
    assert (met.met, met.value, met.attempts) == (True, 3, 4)
    clock = Clock()
    missed = poll(lambda: 0, lambda v: v > 0, 2.0, 0.5, clock, clock.sleep)
    assert not missed.met and missed.seconds == pytest.approx(2.0) and missed.attempts == 5


class _Jobs:
    """A jobs table as the watcher's queries see it: the rows now, the last id handed out."""

    dialect = POSTGRESQL  # the queries it answers are PostgreSQL's

    def __init__(self) -> None:
        self.present: list[tuple[int, str, str, bool]] = []
        self.last_id = 10

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        if "FROM jobs WHERE id >" in sql:
            return [row for row in self.present if row[0] > int(str(params[0]))]
        if "pg_get_serial_sequence" in sql:
            return [("jobs_id_seq",)]
        return [(self.last_id, True)]


def test_the_sync_watch_waits_for_the_sync_s_job_not_any_job() -> None:
    table = _Jobs()
    watch = DatabaseJobs(table, mark=10, sequence_before=10, queue="banking")  # type: ignore[arg-type]
    # Another flow's job appears before the sync is answered: not the sync's.
    table.present, table.last_id = [(11, "default", "App\\Jobs\\GeneratePdf", False)], 11
    assert not watch.done(watch.look())
    # The sync's job appears, and is taken before the next look: it was seen, so it counts.
    table.present, table.last_id = [(12, "banking", "App\\Jobs\\SyncBankTransactions", False)], 12
    assert watch.done(watch.look())
    table.present = []
    assert [j.queue for j in watch.look().jobs] == ["default", "banking"]


class _AnsweredDuringTheQuery(_Jobs):
    """The sync's answer arrives while a look's query runs (the CI race at 78175c8)."""

    def __init__(self, answered: threading.Event) -> None:
        super().__init__()
        self.answered = answered

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        found = super().rows(sql, params)
        self.answered.set()
        return found


def test_a_look_begun_before_the_answer_does_not_end_the_watch_on_another_job() -> None:
    answered = threading.Event()
    table = _AnsweredDuringTheQuery(answered)
    watch = DatabaseJobs(table, mark=10, sequence_before=10, queue="banking")  # type: ignore[arg-type]
    watch.answered = answered
    table.present, table.last_id = [(11, "default", "App\\Jobs\\GeneratePdf", False)], 12
    assert not watch.done(watch.look())  # the sync's row (id 12) may be what it missed
    table.present.append((12, "banking", "App\\Jobs\\SyncBankTransactions", False))
    assert watch.done(watch.look())


def test_after_the_answer_any_new_job_or_moved_sequence_ends_the_watch() -> None:
    table = _Jobs()
    watch = DatabaseJobs(table, mark=10, sequence_before=10, queue="banking")  # type: ignore[arg-type]
    table.last_id = 11  # inserted and already deleted: only the sequence moved
    assert not watch.done(watch.look())
    watch.answered.set()
    last = watch.look()
    assert watch.done(last) and watch.unseen_ids(last.sequence) == 1


def test_ids_of_rows_seen_are_not_counted_as_unseen() -> None:
    table = _Jobs()
    watch = DatabaseJobs(table, mark=10, sequence_before=10, queue="banking")  # type: ignore[arg-type]
    table.present, table.last_id = [(11, "default", "App\\Jobs\\GeneratePdf", False)], 11
    watch.answered.set()
    last = watch.look()
    assert watch.done(last) and watch.unseen_ids(last.sequence) == 0


def test_run_tag_is_prefixed_timestamped_and_unique() -> None:
    when = dt.datetime(2026, 11, 28, 8, 5, tzinfo=dt.UTC)
    first, second = new_run_tag("verify", when), new_run_tag("verify", when)
    assert first.startswith("verify-2611280805-") and first != second


def test_invoice_bodies_are_tagged_and_complete() -> None:
    customer, item, invoice = invoice_bodies(
        "verify-x", 1, 617_350, 3, "invoice1", dt.date(2026, 1, 2)
    )
    assert "verify-x" in customer["name"] and "verify-x" in customer["email"]
    assert "verify-x" in item["name"] and invoice["reference_number"] == "verify-x"
    assert invoice["allow_duplicate"] and customer["allow_duplicate"] and item["allow_duplicate"]
    line = invoice["items"][0]
    assert {"name", "quantity", "price", "discount_val", "tax", "total"} <= set(line)
    assert (
        invoice["total"] == line["total"] == 1_852_050 and invoice["invoice_number"] == "VERIFY-X"
    )


def test_chromium_comes_from_the_environment_or_debian(tmp_path: Path) -> None:
    binary = tmp_path / "chrome"
    binary.write_text("")
    assert browser.chromium_executable(_env(browser={"executable_path": str(binary)})) == str(
        binary
    )
    with pytest.raises(ConfigError, match="executable_path"):
        browser.chromium_executable(_env(browser={"executable_path": str(tmp_path / "none")}))
    found = browser.chromium_executable(_env(), which=lambda name: None)
    assert found in browser.CHROMIUM_CANDIDATES


def test_without_debian_s_chromium_playwright_s_own_newest_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="playwright install --with-deps chromium"):
        browser.chromium_executable(_env(), candidates=())
    for revision in ("1187", "1200"):
        binary = tmp_path / f"chromium-{revision}" / "chrome-linux" / "chrome"
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    shell = tmp_path / "chromium_headless_shell-1300" / "chrome-linux" / "headless_shell"
    shell.parent.mkdir(parents=True)
    shell.write_text("")
    assert browser.chromium_executable(_env(), candidates=()) == str(
        tmp_path / "chromium-1200" / "chrome-linux" / "chrome"
    )
    only_the_shell = tmp_path / "shell-only"
    (only_the_shell / shell.parent.relative_to(tmp_path)).mkdir(parents=True)
    (only_the_shell / shell.relative_to(tmp_path)).write_text("")
    assert browser.playwright_chromium(only_the_shell) == str(
        only_the_shell / shell.relative_to(tmp_path)
    )


def test_named_chromium_is_looked_up_on_path(tmp_path: Path) -> None:
    binary = tmp_path / "my-chromium"
    binary.write_text("")
    env = _env(browser={"executable_path": "my-chromium"})
    assert browser.chromium_executable(env, which=lambda name: str(binary)) == str(binary)


def test_no_pins_without_a_ca_file_and_ignore_only_without_verification() -> None:
    assert browser.tls_pins(_env()) == []
    assert "ignore_https_errors" not in browser.context_args(_env(), {})
    unverified = _env(target={"url": "https://localhost:1", "verify_tls": False})
    assert browser.context_args(unverified, {})["ignore_https_errors"] is True
    assert browser.context_args(_env(), {})["base_url"] == "https://localhost:1"


def _tls_server(tmp_path: Path, host: str | None) -> tuple[Path, int, Any]:
    """A TLS listener whose certificate (for localhost, or for ``host``) the local CA signed."""
    from facturino_reference.paths import HomeLayout
    from facturino_reference.tls import write_tls

    layout = HomeLayout(tmp_path)
    write_tls(layout, 30, host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(layout.server_pem, layout.server_key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):  # until the listener is closed
            while True:
                raw, _ = listener.accept()
                with contextlib.suppress(OSError), context.wrap_socket(raw, server_side=True):
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return layout.ca_pem, listener.getsockname()[1], listener


def test_only_the_verified_server_key_is_pinned(tmp_path: Path) -> None:
    ca, port, listener = _tls_server(tmp_path, None)
    with listener:  # each pin is taken from the live server: ask while it listens
        env = _env(target={"url": f"https://localhost:{port}", "ca_file": str(ca)})
        pins = browser.tls_pins(env)
        args = browser.launch_args(env, {"args": ["--x"]})
    assert len(pins) == 1 and pins[0] != browser.spki_hash(
        x509.load_pem_x509_certificate(ca.read_bytes())
    )
    assert args["args"][0] == "--x" and args["args"][1].startswith(
        "--ignore-certificate-errors-spki-list="
    )


def test_a_certificate_for_another_host_is_not_pinned(tmp_path: Path) -> None:
    """Signed by the trusted CA but for app.facturino.mk: Python refuses it, so must Chromium
    (a pinned CA key would have made it accept the host-name mismatch)."""
    ca, port, listener = _tls_server(tmp_path, "app.facturino.mk")
    with listener:
        env = _env(target={"url": f"https://localhost:{port}", "ca_file": str(ca)})
        assert browser.tls_pins(env) == []


def test_nothing_is_pinned_when_the_server_is_down(tmp_path: Path, closed_port: int) -> None:
    from .efaktura_samples import make_pki

    pki = make_pki(tmp_path)
    env = _env(target={"url": f"https://127.0.0.1:{closed_port}", "ca_file": str(pki.ca_pem)})
    assert browser.tls_pins(env) == []
    assert "args" not in browser.launch_args(env, {})


def test_shared_session_cookies_become_playwright_cookies() -> None:
    session = SanctumSession(HttpClient("https://localhost:1"), "a@b.c", "pw")
    jar = httpx.Client()
    jar.cookies.set("XSRF-TOKEN", "abc", domain="localhost.local")
    session._client = jar  # a logged-in session, without a server
    cookies = browser.session_cookies(session, "https://localhost:1")
    assert [(c["name"], c["value"], c["url"]) for c in cookies] == [
        ("XSRF-TOKEN", "abc", "https://localhost:1")
    ]


def test_kept_trace_loses_every_secret(tmp_path: Path) -> None:
    trace = tmp_path / "trace.zip"
    with zipfile.ZipFile(trace, "w") as archive:
        archive.writestr("trace.trace", '{"action":"fill","value":"s3cr\\"t!"}')
        archive.writestr("resources/body", "password=s3cr%22t%21&email=a")
        archive.writestr("plain", "nothing here")
    assert browser.scrub_archive(trace, ['s3cr"t!'])
    with zipfile.ZipFile(trace) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist())
    assert b"s3cr" not in text and b"***" in text and b"nothing here" in text
    assert not browser.scrub_archive(trace, ['s3cr"t!'])


def test_artifact_defaults_apply_to_runs_with_an_environment(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    path = write_env()
    config = pytester.parseconfigure(f"--env-file={path}")
    assert (config.option.tracing, config.option.screenshot) == (
        "retain-on-failure",
        "only-on-failure",
    )
    assert Path(config.option.output).parts[-2:] == ("reports", "artifacts")
    explicit = pytester.parseconfigure(f"--env-file={path}", "--tracing=on", "--output=elsewhere")
    assert (explicit.option.tracing, explicit.option.output) == ("on", "elsewhere")


class _Http:
    def __init__(self, status: int) -> None:
        self.status = status

    def get(self, path: str, **_: object) -> httpx.Response:
        return httpx.Response(self.status, request=httpx.Request("GET", "https://x" + path))


class _Api:
    """Deletes answer ``delete_status``; the invoice answers ``invoice_status`` afterwards."""

    def __init__(self, delete_status: int, invoice_status: int) -> None:
        self.delete_status, self.invoice_status = delete_status, invoice_status
        self.deleted: list[tuple[str, list[int]]] = []

    def delete(self, kind: str, ids: list[int]) -> httpx.Response:
        self.deleted.append((kind, ids))
        body = {"success": True} if self.delete_status == 200 else {"message": "locked"}
        request = httpx.Request("POST", f"https://x/api/v1/{kind}/delete")
        return httpx.Response(self.delete_status, json=body, request=request)

    def invoice(self, invoice_id: int) -> httpx.Response:
        request = httpx.Request("GET", f"https://x/api/v1/invoices/{invoice_id}")
        return httpx.Response(self.invoice_status, json={}, request=request)


def _made() -> object:
    from facturino_verify.runs.flows import InvoiceUnderTest

    made = InvoiceUnderTest("verify-t", "VERIFY-T", "Customer verify-t")
    made.customer, made.item = {"id": 3, "name": "Customer verify-t"}, {"id": 2, "name": "Item"}
    made.invoice = {"id": 9, "invoice_number": "VERIFY-T", "unique_hash": "H" * 20}
    return made


def test_cleanup_deletes_in_order_and_verifies_the_404s() -> None:
    from facturino_verify.plugin.flows import _remove
    from facturino_verify.runs.features import FeatureRun

    api, run = _Api(200, 404), FeatureRun("verify-t")
    _remove(api, type("D", (), {"http": _Http(404)})(), _made(), run)  # type: ignore[arg-type]
    assert [kind for kind, _ in api.deleted] == ["invoices", "items", "customers"]
    assert run.leftovers == []


@pytest.mark.parametrize(
    ("delete", "invoice", "pdf"), [(422, 404, 404), (200, 200, 404), (200, 404, 200)]
)
def test_cleanup_failure_fails_loudly_and_lists_what_was_left(
    delete: int, invoice: int, pdf: int
) -> None:
    from facturino_verify.plugin.flows import _remove
    from facturino_verify.runs.features import FeatureRun

    run = FeatureRun("verify-t")
    with pytest.raises(pytest.fail.Exception, match="cleanup failed, left behind"):
        _remove(_Api(delete, invoice), type("D", (), {"http": _Http(pdf)})(), _made(), run)  # type: ignore[arg-type]
    assert run.leftovers and all(
        left.kind in ("invoices", "items", "customers") for left in run.leftovers
    )


def test_the_redis_watch_counts_only_payloads_that_were_not_there_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue: list[QueuedJob] = [QueuedJob("old", "banking", "App\\Jobs\\SyncBankTransactions", False)]
    monkeypatch.setattr(sync_watch, "queued_jobs", lambda *_: list(queue))
    watch = sync_watch.RedisJobs(None, None, ("default", "banking"), "banking")  # type: ignore[arg-type]
    assert not watch.done(watch.look())  # the job from before the trigger is not the sync's
    queue.append(QueuedJob("new", "banking", "App\\Jobs\\SyncBankTransactions", True))
    seen = watch.look()
    assert watch.done(seen) and [j.id for j in seen.jobs] == ["new"]
    assert watch.present(["new"]) == ["new"]
    queue.pop()
    assert watch.present(["new"]) == []


def test_on_redis_a_look_after_the_answer_ends_the_watch_even_with_nothing_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync_watch, "queued_jobs", lambda *_: [])
    watch = sync_watch.RedisJobs(None, None, ("banking",), "banking")  # type: ignore[arg-type]
    assert not watch.done(watch.look())
    watch.answered.set()
    last = watch.look()
    assert watch.done(last) and last.jobs == [] and watch.unseen_ids(last.sequence) == 0


def test_redis_payloads_are_read_by_their_laravel_id() -> None:
    class Pipe:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def lrange(self, key: str, *_: int) -> None:
            self.calls.append(key)

        zrange = lrange

        def execute(self) -> list[list[bytes]]:
            payload = b'{"id":"abc","uuid":"u","displayName":"App\\\\Jobs\\\\SyncBankTransactions"}'
            return [[payload], [b"not json"], []]

    class Fake:
        def pipeline(self, transaction: bool) -> Pipe:
            return Pipe()

    class Held:
        def call(self, action: Any) -> Any:
            return action(Fake())

    class Keys:
        def queue_key(self, queue: str, part: str = "") -> str:
            return queue + part

    jobs = queued_jobs(Held(), Keys(), ["banking"])  # type: ignore[arg-type]
    assert jobs == [
        QueuedJob("abc", "banking", "App\\Jobs\\SyncBankTransactions", False),
        QueuedJob("not json", "banking", "", True),
    ]


def test_an_unreachable_target_is_reported_without_starting_chromium(closed_port: int) -> None:
    from facturino_verify.clients import chromium

    why = chromium.unreachable("127.0.0.1", closed_port, True, 1.0)
    assert why is not None and "refused" in why.lower()
    env = _env(target={"url": f"https://127.0.0.1:{closed_port}", "login_path": "/admin/login"})
    seen = browser.render_login_page(env)
    assert seen.error is not None and "Chromium was not started" in seen.error
    assert not any(seen.visible.values()) and seen.url.endswith("/admin/login")


def test_a_failure_after_a_redirect_names_the_request_that_failed() -> None:
    """A redirect to plain HTTP that then fails is reported under the URL that failed."""
    from facturino_verify.clients.errors import ConnectionRefused
    from facturino_verify.clients.http import HttpClient

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return httpx.Response(302, headers={"Location": "http://app.example/admin/login"})
        raise httpx.ConnectError("connection refused", request=request)

    client = HttpClient("https://app.example")
    client._client = httpx.Client(transport=httpx.MockTransport(answer))
    with pytest.raises(ConnectionRefused) as failed:
        client.get("/admin/login", follow_redirects=True)
    assert str(failed.value).startswith(
        "GET https://app.example/admin/login, redirected to GET http://app.example/admin/login:"
    )
