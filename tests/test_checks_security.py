"""Security posture checks: cookies and their flags, the APP_KEY, HTTPS redirect, certificates."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from facturino_verify.checks import CheckFailed, remedies, security
from facturino_verify.clients.tls import CertificateInfo
from facturino_verify.config import APP_KEY_EXAMPLE

Respond = Callable[..., httpx.Response]
OTHER_KEY = "base64:" + base64.b64encode(b"k" * 32).decode()
SET_COOKIES = [
    (
        "Set-Cookie",
        "XSRF-TOKEN=eyJpdiI6IjEyMyJ9%3D; expires=Fri, 01 Jan 2027 00:00:00 GMT; "
        "Max-Age=7200; path=/; secure; samesite=lax",
    ),
    ("Set-Cookie", "facturino_session=abc==; path=/; Secure; HttpOnly; SameSite=Lax"),
]


def laravel_cookie(app_key: str) -> str:
    """A cookie value as Laravel's Encrypter writes it, MAC'd with ``app_key`` (URL-encoded)."""
    key = base64.b64decode(app_key.removeprefix("base64:"))
    iv = base64.b64encode(b"0123456789abcdef").decode()
    value = base64.b64encode(b"ciphertext-bytes").decode()
    mac = hmac.new(key, (iv + value).encode(), hashlib.sha256).hexdigest()
    payload = json.dumps({"iv": iv, "value": value, "mac": mac, "tag": ""})
    return quote(base64.b64encode(payload.encode()).decode())


def test_set_cookies_are_parsed_by_name_with_lowercase_attributes(respond: Respond) -> None:
    cookies = security.parse_set_cookies(respond(headers=SET_COOKIES))
    session = cookies["facturino_session"]
    assert (session.value, session.flag("Secure"), session.flag("httponly")) == (
        "abc==",
        True,
        True,
    )
    assert session.attributes["samesite"] == "Lax"
    assert not cookies["XSRF-TOKEN"].flag("httponly")


def test_required_cookie_is_returned(respond: Respond) -> None:
    cookies = security.parse_set_cookies(respond(headers=SET_COOKIES))
    assert security.require_cookie(cookies, "XSRF-TOKEN", "the login page").name == "XSRF-TOKEN"


def test_missing_session_cookie_fails_listing_seen_cookies(respond: Respond) -> None:
    cookies = security.parse_set_cookies(respond(headers=SET_COOKIES))
    with pytest.raises(CheckFailed) as caught:
        security.require_cookie(cookies, "other_session", "the login page")
    assert (caught.value.seen, caught.value.remedy) == (
        ["XSRF-TOKEN", "facturino_session"],
        remedies.COOKIES,
    )


def test_baked_env_session_cookie_name_points_at_app_name(respond: Respond) -> None:
    cookies = security.parse_set_cookies(
        respond(headers=[("Set-Cookie", "invoiceshelf_session=x")])
    )
    with pytest.raises(CheckFailed) as caught:
        security.require_cookie(cookies, "facturino_session", "the login page")
    assert caught.value.remedy == remedies.BAKED_ENV


@pytest.mark.parametrize(("flag", "wanted"), [("secure", True), ("httponly", True)])
def test_cookie_flag_present_as_wanted_passes(respond: Respond, flag: str, wanted: bool) -> None:
    cookie = security.parse_set_cookies(respond(headers=SET_COOKIES))["facturino_session"]
    security.expect_cookie_flag(cookie, flag, wanted)


def test_cookie_without_secure_flag_fails() -> None:
    cookie = security.Cookie("facturino_session", "v", {"path": "/", "httponly": ""})
    with pytest.raises(CheckFailed) as caught:
        security.expect_cookie_flag(cookie, "secure", True)
    assert caught.value.seen == "attributes ['httponly', 'path']"
    assert caught.value.remedy == remedies.COOKIES


def test_xsrf_cookie_with_httponly_fails_when_spa_must_read_it() -> None:
    with pytest.raises(CheckFailed, match="has httponly absent"):
        security.expect_cookie_flag(
            security.Cookie("XSRF-TOKEN", "v", {"httponly": ""}), "httponly", False
        )


def test_same_site_is_compared_case_insensitively() -> None:
    security.expect_cookie_same_site(security.Cookie("s", "v", {"samesite": "Lax"}), "lax")


@pytest.mark.parametrize(("attributes", "seen"), [({"samesite": "None"}, "None"), ({}, "(none)")])
def test_wrong_or_missing_same_site_fails(attributes: dict[str, str], seen: str) -> None:
    with pytest.raises(CheckFailed) as caught:
        security.expect_cookie_same_site(security.Cookie("s", "v", attributes), "lax")
    assert caught.value.seen == seen


def test_laravel_mac_validates_with_its_own_key_only() -> None:
    cookie = laravel_cookie(APP_KEY_EXAMPLE)
    assert security.laravel_mac_validates(cookie, APP_KEY_EXAMPLE)
    assert not security.laravel_mac_validates(cookie, OTHER_KEY)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-base64!",
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"iv": "a"}').decode(),
    ],
)
def test_non_laravel_payload_never_validates(value: str) -> None:
    assert not security.laravel_mac_validates(value, APP_KEY_EXAMPLE)


def test_encrypted_cookie_shape_is_recognised() -> None:
    security.expect_cookie_is_laravel_encrypted(
        security.Cookie("XSRF-TOKEN", laravel_cookie(OTHER_KEY))
    )
    with pytest.raises(CheckFailed, match="is an encrypted Laravel payload"):
        security.expect_cookie_is_laravel_encrypted(security.Cookie("XSRF-TOKEN", "plain-token"))


def test_cookie_signed_with_example_app_key_fails() -> None:
    security.expect_mac_not_valid_with(
        security.Cookie("XSRF-TOKEN", laravel_cookie(OTHER_KEY)), APP_KEY_EXAMPLE
    )
    with pytest.raises(CheckFailed) as caught:
        security.expect_mac_not_valid_with(
            security.Cookie("XSRF-TOKEN", laravel_cookie(APP_KEY_EXAMPLE)), APP_KEY_EXAMPLE
        )
    assert caught.value.remedy == remedies.APP_KEY


def test_redirect_to_https_on_same_host_passes(respond: Respond) -> None:
    answer = respond(
        301,
        headers={"Location": "https://facturino.example/login"},
        url="http://facturino.example/login",
    )
    security.expect_redirects_to_https(answer, "https://facturino.example")


@pytest.mark.parametrize(
    ("status", "location", "claim"),
    [
        (200, None, "plain HTTP redirects to HTTPS"),
        (302, "http://facturino.example/login", "plain HTTP redirects to HTTPS"),
        (302, "/login", "plain HTTP redirects to HTTPS"),
        (301, "https://evil.example/login", "the HTTPS redirect stays on the host"),
    ],
    ids=["served_over_http", "redirect_to_http", "relative_redirect", "other_host"],
)
def test_missing_or_wrong_https_redirect_fails(
    respond: Respond, status: int, location: str | None, claim: str
) -> None:
    headers = {"Location": location} if location else {}
    with pytest.raises(CheckFailed) as caught:
        security.expect_redirects_to_https(
            respond(status, headers=headers), "https://facturino.example"
        )
    assert (caught.value.claim, caught.value.remedy) == (claim, remedies.HTTPS_REDIRECT)


def certificate(days: float, verify_error: str | None = None) -> CertificateInfo:
    return CertificateInfo(
        "CN=facturino.example", datetime.now(UTC) + timedelta(days=days), verify_error
    )


def test_trusted_certificate_passes() -> None:
    security.expect_certificate_trusted(certificate(90), "facturino.example")


def test_untrusted_certificate_fails_with_verify_error() -> None:
    info = certificate(90, "self-signed certificate")
    with pytest.raises(CheckFailed) as caught:
        security.expect_certificate_trusted(info, "facturino.example")
    assert caught.value.seen == "self-signed certificate (subject CN=facturino.example)"
    assert caught.value.remedy == remedies.TLS


def test_certificate_days_left_counts_from_given_time() -> None:
    info = CertificateInfo("CN=x", datetime(2026, 1, 31, tzinfo=UTC), None)
    assert info.days_left(datetime(2026, 1, 1, tzinfo=UTC)) == 30


def test_certificate_with_enough_lifetime_passes() -> None:
    security.expect_certificate_lifetime(certificate(30), 14)


def test_certificate_expiring_soon_fails() -> None:
    with pytest.raises(CheckFailed) as caught:
        security.expect_certificate_lifetime(certificate(3), 14)
    assert caught.value.claim == "the certificate is valid for more than 14 days"
    assert str(caught.value.seen).endswith("(3.0 days)")
