"""Checks of the application's own pages: each passes on a good answer and fails on a bad one
with the claim, what was seen and the runbook remedy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from facturino_verify.checks import CheckFailed, app, remedies
from facturino_verify.checks.http import (
    expect_header,
    expect_headers_absent,
    expect_status,
    json_body,
)

Respond = Callable[..., httpx.Response]
# The real app.blade.php shell, trimmed: the form is drawn by the SPA in the browser.
LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Facturino</title>
<meta name="csrf-token" content="x">
<link rel="preload" as="style" href="https://facturino.example/build/assets/main-4f2c.css" />
<link rel="modulepreload" href="https://facturino.example/build/assets/main-9a1b.js" />
<link rel="modulepreload" href="https://facturino.example/build/assets/vendor-vue-77aa.js" />
<link rel="stylesheet" href="https://facturino.example/build/assets/main-4f2c.css" />
<script type="module" src="https://facturino.example/build/assets/main-9a1b.js"></script></head>
<body class="h-full"><script type="module">
    window.login_page_heading = "Hi"
    window.Facturino.start()
</script></body></html>"""
HEALTHY: dict[str, Any] = {
    "status": "healthy",
    "environment": "production",
    "checks": {"database": True, "redis": True, "queues": True},
}


def test_check_failure_message_says_expected_seen_and_remedy() -> None:
    text = str(CheckFailed("the claim", "this", "that", "do so"))
    assert text == "the claim\n  expected: this\n  seen:     that\n  remedy:   do so"
    assert isinstance(CheckFailed("c", 1, 2, "r"), AssertionError)


def test_status_check_shows_request_and_body_start(respond: Respond) -> None:
    with pytest.raises(CheckFailed) as caught:
        expect_status(respond(502, text="Bad   gateway\n"), {200, 204}, "answers", "retry")
    assert caught.value.expected == "HTTP 200 or 204"
    assert caught.value.seen == "GET https://facturino.example/up → 502: Bad gateway"


def test_header_check_shows_absent_header(respond: Respond) -> None:
    expect_header(
        respond(headers={"X-Frame-Options": "SAMEORIGIN"}), "X-Frame-Options", "SAMEORIGIN", "r"
    )
    with pytest.raises(CheckFailed) as caught:
        expect_header(respond(), "X-Frame-Options", "SAMEORIGIN", remedies.HEADERS)
    assert (caught.value.seen, caught.value.remedy) == ("absent", remedies.HEADERS)


def test_headers_absent_check_lists_present_ones(respond: Respond) -> None:
    expect_headers_absent(respond(), ["Strict-Transport-Security"], "no HSTS", "r")
    with pytest.raises(CheckFailed) as caught:
        expect_headers_absent(
            respond(headers={"Strict-Transport-Security": "max-age=1"}),
            ["Strict-Transport-Security"],
            "no HSTS",
            "r",
        )
    assert caught.value.seen == {"Strict-Transport-Security": "max-age=1"}


def test_json_body_of_html_page_fails_naming_content_type(respond: Respond) -> None:
    assert json_body(respond(json={"a": 1}), "json", "r") == {"a": 1}
    page = respond(500, text="<h1>Server Error</h1>", headers={"Content-Type": "text/html"})
    with pytest.raises(CheckFailed, match=r"seen:     text/html: GET .* → 500"):
        json_body(page, "json", "r")


def test_application_up_passes_on_laravel_up_page(respond: Respond) -> None:
    app.expect_application_up(respond(text="<html><body>Application up</body></html>"))


@pytest.mark.parametrize(
    ("status", "text", "remedy"),
    [
        (200, "It works!", remedies.SERVER_ERROR),
        (500, "Server Error", remedies.SERVER_ERROR),
        (503, "Be right back.", remedies.MAINTENANCE),
        (404, "Not Found", remedies.REDEPLOY),
    ],
    ids=["wrong_page", "server_error", "maintenance", "not_found"],
)
def test_application_up_fails_with_matching_remedy(
    respond: Respond, status: int, text: str, remedy: str
) -> None:
    with pytest.raises(CheckFailed) as caught:
        app.expect_application_up(respond(status, text=text))
    assert text in str(caught.value.seen)
    assert caught.value.remedy == remedy


def test_not_in_maintenance_passes_on_plain_200(respond: Respond) -> None:
    app.expect_not_in_maintenance(respond(text="Application up"))


@pytest.mark.parametrize(
    ("status", "headers", "seen"),
    [
        (503, {}, "HTTP 503, Retry-After: (none)"),
        (200, {"Retry-After": "60"}, "HTTP 200, Retry-After: 60"),
    ],
    ids=["503", "retry_after"],
)
def test_maintenance_mode_is_detected(
    respond: Respond, status: int, headers: dict[str, str], seen: str
) -> None:
    with pytest.raises(CheckFailed) as caught:
        app.expect_not_in_maintenance(respond(status, headers=headers))
    assert (caught.value.seen, caught.value.remedy) == (seen, remedies.MAINTENANCE)


def test_health_payload_is_read_even_from_a_503(respond: Respond) -> None:
    unhealthy = {**HEALTHY, "status": "unhealthy"}
    assert app.health_payload(respond(503, json=unhealthy)) == unhealthy


@pytest.mark.parametrize(
    "body",
    [{"text": "<html>oops</html>"}, {"json": {"status": "healthy"}}, {"json": ["checks"]}],
    ids=["html", "no_checks", "not_an_object"],
)
def test_health_payload_without_checks_object_fails(respond: Respond, body: dict[str, Any]) -> None:
    with pytest.raises(CheckFailed, match="GET /health"):
        app.health_payload(respond(**body))


def test_health_check_passes_when_true() -> None:
    app.expect_health_check(HEALTHY, "database")


@pytest.mark.parametrize(
    ("name", "value", "remedy"),
    [
        ("database", False, remedies.DATABASE),
        ("redis", "degraded", remedies.REDIS),
        ("queues", None, remedies.QUEUE),
        ("storage", False, remedies.STORAGE),
        ("bank_sync", False, remedies.BANK_SYNC),
        ("certificates", False, remedies.CERTIFICATES),
        ("paddle", False, remedies.PADDLE),
        ("a_new_subsystem", False, remedies.HEALTH),
    ],
)
def test_failing_health_check_points_at_its_remedy(name: str, value: object, remedy: str) -> None:
    payload = {"status": "unhealthy", "checks": {name: value}}
    with pytest.raises(CheckFailed) as caught:
        app.expect_health_check(payload, name)
    assert (caught.value.seen, caught.value.remedy) == (repr(value), remedy)


@pytest.mark.parametrize("name", ["queues", "bank_sync", "storage", "backup", "certificates"])
def test_a_subsystem_a_redeploy_cannot_fix_never_says_redeploy(name: str) -> None:
    """A stale backup or failing bank syncs outlive any release: rolling back fixes nothing."""
    with pytest.raises(CheckFailed) as caught:
        app.expect_health_check({"status": "unhealthy", "checks": {name: False}}, name)
    assert "redeploy" not in caught.value.remedy


def test_missing_health_check_lists_reported_ones() -> None:
    with pytest.raises(CheckFailed) as caught:
        app.expect_health_check(HEALTHY, "signer")
    assert caught.value.seen == "checks: ['database', 'queues', 'redis']"


def test_health_status_names_failing_checks() -> None:
    app.expect_health_status(HEALTHY)
    payload = {"status": "unhealthy", "checks": {"database": True, "redis": False, "backup": False}}
    with pytest.raises(CheckFailed) as caught:
        app.expect_health_status(payload)
    assert caught.value.seen == "'unhealthy', failing checks: ['backup', 'redis']"


def test_health_environment_must_match_app_env() -> None:
    app.expect_environment(HEALTHY, "production")
    with pytest.raises(CheckFailed) as caught:
        app.expect_environment({**HEALTHY, "environment": "local"}, "production")
    assert (caught.value.seen, caught.value.remedy) == ("'local'", remedies.BAKED_ENV)


def test_login_shell_is_accepted_and_its_build_files_listed(respond: Respond) -> None:
    page = app.expect_spa_shell(respond(text=LOGIN_PAGE, url="https://facturino.example/login"))
    assert app.login_bundle_paths(page) == [
        "/build/assets/main-9a1b.js",
        "/build/assets/main-4f2c.css",
        "/build/assets/vendor-vue-77aa.js",
    ]


def test_login_shell_without_the_start_call_fails(respond: Respond) -> None:
    broken = LOGIN_PAGE.replace("window.Facturino.start()", "")
    with pytest.raises(CheckFailed) as caught:
        app.expect_spa_shell(respond(text=broken, url="https://facturino.example/login"))
    assert "window.Facturino.start()" in str(caught.value.expected)
    assert caught.value.remedy == remedies.LOGIN


def test_login_shell_without_a_module_script_under_build_fails(respond: Respond) -> None:
    broken = LOGIN_PAGE.replace('<script type="module" src=', "<script src=")
    with pytest.raises(CheckFailed, match="SPA shell") as caught:
        app.expect_spa_shell(respond(text=broken, url="https://facturino.example/login"))
    assert '<script type="module" src="/build/assets/…">' in str(caught.value.expected)


def test_the_form_is_not_looked_for_in_the_html(respond: Respond) -> None:
    """The old server-rendered page had the form; the real shell has none, and passes."""
    assert "loginForm" not in LOGIN_PAGE
    app.expect_spa_shell(respond(text=LOGIN_PAGE, url="https://facturino.example/login"))


def test_login_path_landing_on_installer_fails(respond: Respond) -> None:
    with pytest.raises(CheckFailed) as caught:
        app.expect_spa_shell(respond(text=LOGIN_PAGE, url="https://facturino.example/installation"))
    assert caught.value.remedy == remedies.INSTALLER


def test_login_page_server_error_fails(respond: Respond) -> None:
    with pytest.raises(CheckFailed, match="the login page answers 200"):
        app.expect_spa_shell(respond(500, text="Server Error"))


def test_login_page_without_js_bundle_fails(respond: Respond) -> None:
    only_css = '<link rel="stylesheet" href="/build/assets/main-4f2c.css" />'
    page = app.spa_shell_page(respond(text=only_css))
    with pytest.raises(CheckFailed, match="loads its JS bundle"):
        app.login_bundle_paths(page)


@pytest.mark.parametrize(
    ("path", "content_type", "body", "failure"),
    [
        ("/build/assets/main-9a1b.js", "application/javascript", b"export {}", None),
        ("/build/assets/main-9a1b.js", "text/javascript; charset=utf-8", b"x", None),
        ("/build/assets/main-4f2c.css", "text/css", b"a{}", None),
        ("/build/assets/main-9a1b.js", "text/html", b"<html>", "served as javascript"),
        ("/build/assets/main-4f2c.css", "text/plain", b"a{}", "served as text/css"),
        ("/build/assets/main-9a1b.js", "application/javascript", b"", "has content"),
    ],
)
def test_build_file_needs_its_type_and_content(
    path: str, content_type: str, body: bytes, failure: str | None
) -> None:
    request = httpx.Request("GET", "https://facturino.example" + path)
    answer = httpx.Response(
        200, headers={"Content-Type": content_type}, content=body, request=request
    )
    if failure is None:
        app.expect_asset_served(answer)
        return
    with pytest.raises(CheckFailed, match=failure):
        app.expect_asset_served(answer)


def test_missing_build_file_fails_with_its_path() -> None:
    request = httpx.Request("GET", "https://facturino.example/build/assets/main-9a1b.js")
    with pytest.raises(CheckFailed, match=r"/build/assets/main-9a1b\.js is served"):
        app.expect_asset_served(httpx.Response(404, text="Not Found", request=request))


@pytest.mark.parametrize(
    ("status", "headers"),
    [(302, {"Location": "https://facturino.example/login"}), (404, {})],
    ids=["redirect_to_login", "not_found"],
)
def test_closed_installer_passes(respond: Respond, status: int, headers: dict[str, str]) -> None:
    app.expect_installer_closed(
        respond(status, headers=headers, url="https://facturino.example/installation")
    )


@pytest.mark.parametrize(
    ("status", "headers"),
    [(200, {}), (302, {"Location": "https://facturino.example/installation/database"})],
    ids=["served", "redirect_within_installer"],
)
def test_open_installer_fails(respond: Respond, status: int, headers: dict[str, str]) -> None:
    with pytest.raises(CheckFailed) as caught:
        app.expect_installer_closed(
            respond(status, headers=headers, url="https://facturino.example/installation")
        )
    assert caught.value.remedy == remedies.INSTALLER


def test_debug_endpoint_must_be_404(respond: Respond) -> None:
    app.expect_not_served(respond(404, url="https://facturino.example/telescope"))
    with pytest.raises(CheckFailed, match="/telescope is not served"):
        app.expect_not_served(respond(200, url="https://facturino.example/telescope"))


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/.env", "APP_NAME=Facturino\nAPP_ENV=production\nAPP_KEY=base64:abc\n"),
        ("/.env", "# comment\nexport DB_PASSWORD=hunter2\n"),
        ("/.git/config", "[core]\n\trepositoryformatversion = 0\n"),
        (
            "/storage/logs/laravel.log",
            "[2026-11-28 10:00:01] production.ERROR: SQLSTATE[08006] connection failed\n",
        ),
    ],
)
def test_private_file_content_fails_wherever_it_is_served(
    respond: Respond, path: str, content: str
) -> None:
    url = f"https://facturino.example{path}"
    with pytest.raises(CheckFailed, match="private file") as caught:
        app.expect_private_file_not_served(respond(200, text=content, url=url))
    assert caught.value.remedy == remedies.PRIVATE_FILE


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, "Not Found"),
        (403, "<html>403 Forbidden</html>"),
        (302, ""),
        # A catch-all SPA route answers its page for any path: not the file.
        (200, '<!DOCTYPE html><html><body><div id="app"></div></body></html>'),
    ],
)
def test_anything_but_the_file_passes(respond: Respond, status: int, body: str) -> None:
    app.expect_private_file_not_served(
        respond(status, text=body, url="https://facturino.example/.env")
    )


def test_debug_headers_are_reported(respond: Respond) -> None:
    app.expect_no_debug_headers(respond(headers={"Content-Type": "text/plain"}))
    with pytest.raises(CheckFailed) as caught:
        app.expect_no_debug_headers(
            respond(headers={"X-Execution-Time": "12ms", "X-Request-ID": "a"})
        )
    assert caught.value.seen == {"X-Execution-Time": "12ms", "X-Request-ID": "a"}
    assert caught.value.remedy == remedies.DEBUG


def test_json_error_with_only_message_passes(respond: Respond) -> None:
    app.expect_error_without_trace(respond(404, json={"message": "Not Found"}), {404})


def test_json_error_with_exception_details_fails(respond: Respond) -> None:
    leaked = {"message": "x", "exception": "E", "file": "/app/x.php", "line": 3, "trace": []}
    with pytest.raises(CheckFailed) as caught:
        app.expect_error_without_trace(respond(404, json=leaked), {404})
    assert str(caught.value.seen).startswith("keys ['exception', 'file', 'line', 'trace'] in ")
    assert caught.value.remedy == remedies.DEBUG


@pytest.mark.parametrize(
    ("status", "text", "claim"),
    [(200, '{"message": "ok"}', "answers an error"), (404, "<h1>404</h1>", "answers JSON")],
    ids=["not_an_error", "html_error"],
)
def test_json_error_probe_unexpected_answer_fails(
    respond: Respond, status: int, text: str, claim: str
) -> None:
    with pytest.raises(CheckFailed, match=claim):
        app.expect_error_without_trace(respond(status, text=text), {404})
