"""The canary run: a full, failing verification run (every suite) against a reference deployment
whose own secrets are canaries, with faults that make failures carry them; then every artifact
is scanned (terminal output, HTML, JUnit, JSON summary, log files, every entry of every
Playwright trace, and the text of every screenshot and trace frame, read by OCR) and none may
hold a canary in any encoding.

Where the secrets come from, on purpose:
- /.env served by the web server (``env_file_public``): a 200 body holding APP_KEY and the
  database and Redis passwords, which the smoke check reports as evidence;
- a refused admin login (``login_broken``): the password typed into the browser (trace actions,
  request bodies) and sent by the API client;
- a credential URL longer than an evidence excerpt, placed so that the excerpt's cut falls inside
  its password, at the top of that /.env; a ``/.git/config`` with a deploy token in its remote URL
  (both secrets unknown to the suite: only their shape can give them away);
- a shell prefix that prints its credential (``[shell.env]``) to stdout and stderr, raw and
  base64-encoded, with a failing ``migrate:status`` (``migrations_pending``) whose output is shown;
- a Redis URL whose password holds an unencoded ``/`` (redis-py would quote a piece of it as the
  port): refused at load, before any check, without showing it;
- debug mode (exception details in bodies), an error burst and stale partner figures (failing
  monitoring and browser checks), and log records at DEBUG level written to a log file;
- ``[notify]`` with a webhook URL and an SMTP password of their own: each failing run posts a
  Slack message and mails its report to local receivers, whose messages (raw and decoded) are
  scanned with the rest.
"""

from __future__ import annotations

import base64
import email
import email.policy
import re
import ssl
import tomllib
from pathlib import Path

import httpx
import pytest

from facturino_reference import free_port_base
from facturino_verify.config.features import CHROMIUM_CANDIDATES

from .notify_receivers import LOOPBACK, Mailbox, Webhook, smtp_server, webhook
from .reference_runs import SuiteRun, reference, run_suite
from .secret_scan import Scan, artifacts, ocr, scan, seen_by_ocr

pytestmark = pytest.mark.fault_matrix

APP_KEY = "base64:" + base64.b64encode(b"canary-app-key-3c5e7a9b1d2f4a6c8").decode()
CANARIES = {
    "FACTURINO_LOCAL_DB_PASSWORD": "canary-db-7f3a9c1e",
    "FACTURINO_LOCAL_REDIS_PASSWORD": "canary-redis-4d6b2c8e",
    "FACTURINO_LOCAL_ADMIN_PASSWORD": "canary-admin-2b8d4e6f",
    "FACTURINO_LOCAL_PARTNER_PASSWORD": "canary-partner-9c1a7b3d",
    "FACTURINO_LOCAL_APP_KEY": APP_KEY,
    "FACTURINO_CANARY_SHELL": "canary-shell-6a3e9d1b",
    "FACTURINO_CANARY_REDIS_URL_PASSWORD": "canary-rurl/k7pq9xwz",
    "FACTURINO_CANARY_SMTP_PASSWORD": "canary-smtp-8v2x5z",
    # Not read by the suite: the path of the webhook URL it is given (the URL's port varies).
    "FACTURINO_CANARY_HOOK_TOKEN": "canary-hook-6w9y3u",
}
# Served by the deployment, never given to the suite: masked by their shape or not at all.
SERVED_ONLY = {
    "database URL in /.env": "canary-dburl-5m2n8q4r",
    "token in /.git/config": "canary-git-3h6j9k2p",
}
# A secret cut by an excerpt, or quoted in pieces by a driver, leaves runs of this many of its
# characters: the scan looks for every one of them too.
FRAGMENT = 8
FAULTS = (
    "env_file_public",
    "login_broken",
    "migrations_pending",
    "debug_mode",
    "error_burst",
    "partner_commissions_wrong",
)
SUITES = {
    "smoke": "smoke",
    "features": "features",
    "perf": "perf",
    "monitoring": "monitoring",
    "ops": "daily or weekly",
}
# A CLI that prints its token when it starts (some do, with --verbose): the shell checks must
# mask what they show of its output.
SHELL_WRAPPER = """#!/bin/sh
echo "railway: using token $RAILWAY_TOKEN"
echo "railway: token=$RAILWAY_TOKEN" >&2
echo "railway: authorization $(printf %s "$RAILWAY_TOKEN" | base64)"
exec "$@"
"""
PORT_RANGE = (33000, 34000)
# A page the faults took away is not waited for as long as on a loaded runner.
QUICK_BROWSER = {"FACTURINO_VERIFY__BROWSER__TIMEOUT_MS": "5000"}
REPORT_MAX_BYTES = (
    2 * 1024 * 1024
)  # issue 6: a report of a full run stays under 2 MB  # tests/README.md


def _with_shell_credentials(home: Path, wrapper: Path) -> None:
    """The environment's shell prefix goes through a wrapper that echoes the credential the
    environment now gives it in ``[shell.env]``."""
    env_file = home / "environment.toml"
    text = env_file.read_text()
    prefix = tomllib.loads(text)["shell"]["prefix"]
    wrapper.write_text(SHELL_WRAPPER)
    wrapper.chmod(0o755)
    wrapped = "prefix = [" + ", ".join(f'"{part}"' for part in [str(wrapper), *prefix]) + "]"
    text, replaced = re.subn(r"(?m)^prefix = \[.*app-shell.*\]$", wrapped, text, count=1)
    assert replaced == 1, text
    env_file.write_text(text + '\n[shell.env]\nRAILWAY_TOKEN = "${FACTURINO_CANARY_SHELL}"\n')


DOTENV_CANARIES = (
    "FACTURINO_LOCAL_DB_PASSWORD",
    "FACTURINO_LOCAL_REDIS_PASSWORD",
    "FACTURINO_LOCAL_APP_KEY",
)


def _dotenv_as_served(home: Path) -> bytes:
    env = tomllib.loads((home / "environment.toml").read_text())["target"]
    context = ssl.create_default_context(cafile=env["ca_file"])
    return httpx.get(env["url"].rstrip("/") + "/.env", verify=context, timeout=10).content


EXCERPT = 160  # checks/base.py:shorten, the evidence a failed private-file check quotes


def _serve_credential_urls(home: Path) -> None:
    """Put a credential URL at the top of the served /.env so that the excerpt's cut falls in
    the middle of its password (and the URL outlasts the excerpt), and serve a /.git/config
    whose remote URL carries a deploy token."""
    public = home / "public"
    password = SERVED_ONLY["database URL in /.env"]
    url = (
        f"DATABASE_URL=postgresql://facturino:{password}@db.internal.example:5432/facturino"
        "?sslmode=require&application_name=facturino-web&connect_timeout=10&options=-c%20"
        "statement_timeout%3D30000\n"
    )
    head = "APP_ENV=production\n# "
    # The cut (at EXCERPT - 1) lands 12 characters into the password: a fragment the scan sees.
    pad = EXCERPT - 1 - 12 - len(head) - 1 - url.index(password)
    (public / ".env").write_text(head + "x" * pad + "\n" + url + (public / ".env").read_text())
    flat = " ".join((public / ".env").read_text().split())
    assert flat.index(password) < EXCERPT - 1 < flat.index(password) + len(password)
    assert len(url) > EXCERPT
    token = SERVED_ONLY["token in /.git/config"]
    (public / ".git").mkdir(exist_ok=True)
    (public / ".git" / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
        '[remote "origin"]\n'
        f"\turl = https://deploy-bot:{token}@github.com/facturino/facturino.git\n"
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
    )


def _with_redis_url(home: Path) -> str:
    """The environment with its Redis given as a URL whose password holds a raw ``/``; the
    original text, to put back."""
    env_file = home / "environment.toml"
    original = env_file.read_text()
    port = tomllib.loads(original)["redis"]["port"]
    url = f'url = "redis://:${{FACTURINO_CANARY_REDIS_URL_PASSWORD}}@127.0.0.1:{port}/0"'
    text, replaced = re.subn(
        r"(?m)^host = \"127\.0\.0\.1\"\nport = \d+\npassword = .*$",
        url,
        original.split("[redis]", 1)[1],
        count=1,
    )
    assert replaced == 1, original
    env_file.write_text(original.split("[redis]", 1)[0] + "[redis]" + text)
    return original


def _with_notifications(home: Path, smtp_port: int) -> None:
    """Every failing run posts to the webhook (its URL a secret) and mails through a server that
    wants the canary password."""
    env_file = home / "environment.toml"
    env_file.write_text(
        env_file.read_text()
        + '\n[notify.slack]\nwebhook_url = "${FACTURINO_CANARY_SLACK_WEBHOOK}"\n'
        + f'\n[notify.email]\nhost = "{LOOPBACK}"\nport = {smtp_port}\ntls = "none"\n'
        + 'user = "verify"\npassword = "${FACTURINO_CANARY_SMTP_PASSWORD}"\n'
        + 'sender = "verify@facturino.example"\n'
    )


def _keep_notifications(hook: Webhook, box: Mailbox, folder: Path) -> list[str]:
    """What the receivers got, as files for the scan: each Slack body, each mail raw and each
    of its parts decoded (a mail's base64 lines would hide a secret from a byte search)."""
    folder.mkdir(parents=True)
    for i, (_, body) in enumerate(hook.posts):
        (folder / f"slack-{i}.json").write_bytes(body)
    texts = []
    for i, envelope in enumerate(box.messages):
        raw = envelope.original_content or b""
        (folder / f"mail-{i}.eml").write_bytes(raw)
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        for j, part in enumerate(p for p in mail.walk() if not p.is_multipart()):
            decoded = part.get_payload(decode=True)
            assert isinstance(decoded, bytes)
            (folder / f"mail-{i}-part-{j}.txt").write_bytes(decoded)
            texts.append(decoded.decode(errors="replace"))
    return texts


def _every_suite(home: Path, reports: Path) -> dict[str, SuiteRun]:
    runs = {}
    for name, marker in SUITES.items():
        folder = reports / name
        runs[name] = run_suite(
            home,
            marker,
            "-rA",
            "--log-level=DEBUG",
            f"--log-file={folder / 'run.log'}",
            "--log-file-level=DEBUG",
            "-o",
            "log_cli=true",
            reports_dir=folder,
            overrides=QUICK_BROWSER,
        )
        (folder / "terminal.txt").write_text(runs[name].output)
        # run_suite writes JUnit into the home (for its outcomes): keep it with the rest.
        (folder / "junit.xml").write_bytes((home / "suite-junit.xml").read_bytes())
    return runs


def _positive_control(tmp_path: Path) -> str:
    """A screenshot with every canary on screen, as OCR reads it."""
    from playwright.sync_api import sync_playwright

    executable = next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    lines = "".join(f"<p>{value}</p>" for value in CANARIES.values())
    shot = tmp_path / "control.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        page = browser.new_page()
        page.set_content(f"<html><body style='font-family:sans-serif'>{lines}</body></html>")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    return ocr(shot.read_bytes())


@pytest.fixture
def canaries(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    return CANARIES


def test_a_full_failing_run_leaves_no_secret_in_any_artifact(
    tmp_path: Path, canaries: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    control = _positive_control(tmp_path)
    unseen = [v for v in canaries.values() if not seen_by_ocr(control, v)]
    assert unseen == [], f"OCR cannot see {unseen} on screen: the image scan would be blind"

    reports = tmp_path / "reports"
    base = free_port_base(*PORT_RANGE, 100)
    token = canaries["FACTURINO_CANARY_HOOK_TOKEN"]
    with (
        webhook(f"/services/T0/B0/{token}") as hook,
        smtp_server() as box,
        reference(base, FAULTS) as home,
    ):
        monkeypatch.setenv("FACTURINO_CANARY_SLACK_WEBHOOK", hook.url)  # the runs inherit it
        _with_shell_credentials(home, tmp_path / "railway")
        _with_notifications(home, box.port)
        _serve_credential_urls(home)
        served = _dotenv_as_served(home)
        runs = _every_suite(home, reports)
        original = _with_redis_url(home)
        refused = run_suite(home, "smoke", reports_dir=reports / "redis-url")
        (home / "environment.toml").write_text(original)
    mails = _keep_notifications(hook, box, reports / "notifications")
    (reports / "redis-url").mkdir(parents=True, exist_ok=True)
    (reports / "redis-url" / "terminal.txt").write_text(refused.output)
    # The operator's mistake is named before any check runs, without the URL.
    assert refused.exit_code == 4, refused.output[-2000:]
    assert "[redis]" in refused.output and "percent-encode" in refused.output
    # The failures had the secrets to leak: the served /.env holds three of them.
    in_body = {
        v for values in scan([("/.env", served)], canaries.values()).leaks.values() for v in values
    }
    assert in_body >= {canaries[k] for k in DOTENV_CANARIES}, in_body

    for name, run in runs.items():
        assert run.exit_code not in (0, 3, 4, 5), f"{name}: {run.exit_code} {run.output[-2000:]}"
    secrets = [*canaries.values(), *SERVED_ONLY.values()]
    found: Scan = scan(artifacts(reports), secrets, fragment=FRAGMENT)
    assert found.leaks == {}, f"secrets in artifacts: {found.leaks}"

    # The run did produce what the scan was meant to look at ...
    names = {str(p.relative_to(reports)) for p in reports.rglob("*") if p.is_file()}
    for suite in SUITES:
        assert {f"{suite}/report.html", f"{suite}/junit.xml", f"{suite}/summary.json"} <= names
        assert f"{suite}/run.log" in names
    assert any(n.endswith("trace.zip") for n in names), sorted(names)
    assert found.images >= 2, "no screenshot or trace frame was read"
    print(f"scanned {found.texts} artifacts, {found.images} distinct images by OCR")
    # A stakeholder report stays small even for a failing run with screenshots and traces.
    sizes = {suite: (reports / suite / "report.html").stat().st_size for suite in SUITES}
    print("report.html sizes:", sizes)
    assert max(sizes.values()) < REPORT_MAX_BYTES, sizes
    # ... and the secrets really were in the failures, masked.
    smoke_junit = (reports / "smoke" / "junit.xml").read_text()
    assert "test_private_file_is_not_served[/.env]" in smoke_junit
    assert "«redacted»" in smoke_junit
    assert "railway: using token «redacted»" in (reports / "ops" / "terminal.txt").read_text()
    # The served files were found and quoted: what was masked was really there.
    for path in ("/.env", "/.git/config"):
        assert f"test_private_file_is_not_served[{path}]" in smoke_junit
    assert "DATABASE_URL=postgresql://facturino:" in smoke_junit
    # Every failing run notified once per channel, with the failures that held the secrets.
    assert (len(hook.posts), len(box.messages)) == (len(SUITES), len(SUITES))
    assert box.logins == [("verify", canaries["FACTURINO_CANARY_SMTP_PASSWORD"])] * len(SUITES)
    assert all(b"Facturino verification: " in body for _, body in hook.posts)
    assert any("test_private_file_is_not_served[/.env] [critical]" in text for text in mails)
    assert any("Release verdict" in text for text in mails)  # the report was attached
