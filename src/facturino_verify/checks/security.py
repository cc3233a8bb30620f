"""TLS, HTTPS redirect, cookies and the APP_KEY: the deployment's security posture."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import httpx

from ..clients.tls import CertificateInfo
from . import remedies
from .base import fail
from .http import described


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)

    def flag(self, name: str) -> bool:
        return name.lower() in self.attributes


def parse_set_cookies(response: httpx.Response) -> dict[str, Cookie]:
    """Every ``Set-Cookie`` of a response by name, attributes lower-cased."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        first, *rest = header.split(";")
        name, _, value = first.strip().partition("=")
        attributes = {}
        for part in rest:
            key, _, attr_value = part.strip().partition("=")
            attributes[key.lower()] = attr_value.strip()
        cookies[name] = Cookie(name, value, attributes)
    return cookies


def expect_redirects_to_https(response: httpx.Response, https_url: str) -> None:
    __tracebackhide__ = True
    location = response.headers.get("Location", "")
    if not response.is_redirect or urlsplit(location).scheme != "https":
        fail(
            "plain HTTP redirects to HTTPS",
            f"a 301/302/307/308 to {https_url}",
            described(response),
            remedies.HTTPS_REDIRECT,
        )
    expected_host = urlsplit(https_url).hostname
    if urlsplit(location).hostname != expected_host:
        fail(
            "the HTTPS redirect stays on the host", expected_host, location, remedies.HTTPS_REDIRECT
        )


def expect_certificate_trusted(info: CertificateInfo, host: str) -> None:
    __tracebackhide__ = True
    if info.verify_error is not None:
        fail(
            f"the certificate is valid for {host} and trusted",
            "a verified chain and host name",
            f"{info.verify_error} (subject {info.subject})",
            remedies.TLS,
        )


def expect_certificate_lifetime(info: CertificateInfo, min_days: int) -> None:
    __tracebackhide__ = True
    days = info.days_left()
    if days <= min_days:
        fail(
            f"the certificate is valid for more than {min_days} days",
            f"> {min_days} days",
            f"expires {info.not_after:%Y-%m-%d %H:%M} UTC ({days:.1f} days)",
            remedies.TLS,
        )


def expect_certificate_issuer(info: CertificateInfo, organization: str) -> None:
    """The server certificate was issued by a CA of ``organization`` (its issuer's O=)."""
    __tracebackhide__ = True
    if organization and organization not in info.issuer_organizations:
        fail(
            f"the certificate is issued by {organization}",
            f"issuer O={organization}",
            f"issuer {info.issuer or '(none)'}",
            remedies.TLS_ISSUER,
        )


def require_cookie(cookies: dict[str, Cookie], name: str, where: str) -> Cookie:
    __tracebackhide__ = True
    if name not in cookies:
        remedy = remedies.BAKED_ENV if "invoiceshelf_session" in cookies else remedies.COOKIES
        fail(f"{where} sets the {name} cookie", name, sorted(cookies) or "no cookies", remedy)
    return cookies[name]


def expect_cookie_flag(cookie: Cookie, flag: str, wanted: bool) -> None:
    __tracebackhide__ = True
    if cookie.flag(flag) != wanted:
        state = "set" if wanted else "absent"
        fail(
            f"cookie {cookie.name} has {flag} {state}",
            f"{flag} {state}",
            f"attributes {sorted(cookie.attributes)}",
            remedies.COOKIES,
        )


def expect_cookie_same_site(cookie: Cookie, wanted: str) -> None:
    __tracebackhide__ = True
    seen = cookie.attributes.get("samesite", "")
    if seen.lower() != wanted.lower():
        fail(
            f"cookie {cookie.name} has SameSite={wanted}",
            wanted,
            seen or "(none)",
            remedies.COOKIES,
        )


def laravel_mac_validates(cookie_value: str, app_key: str) -> bool:
    """Whether a Laravel-encrypted cookie's MAC validates with ``app_key`` (``base64:...``).

    Laravel's Encrypter stores ``mac = HMAC-SHA256(key, iv_b64 + value_b64)`` in the payload.
    """
    try:
        payload = json.loads(base64.b64decode(unquote(cookie_value)))
        iv, value, mac = payload["iv"], payload["value"], payload["mac"]
    except (ValueError, KeyError, TypeError):
        return False
    key = base64.b64decode(app_key.removeprefix("base64:"))
    expected = hmac.new(key, (iv + value).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(mac))


def expect_cookie_is_laravel_encrypted(cookie: Cookie) -> None:
    __tracebackhide__ = True
    try:
        payload = json.loads(base64.b64decode(unquote(cookie.value)))
        ok = isinstance(payload, dict) and {"iv", "value", "mac"} <= payload.keys()
    except ValueError:
        ok = False
    if not ok:
        fail(
            f"cookie {cookie.name} is an encrypted Laravel payload",
            "base64 JSON {iv,value,mac}",
            cookie.value[:40] + "…",
            remedies.REDEPLOY,
        )


def expect_mac_not_valid_with(cookie: Cookie, public_key: str) -> None:
    __tracebackhide__ = True
    if laravel_mac_validates(cookie.value, public_key):
        fail(
            "the deployment does not use the public example APP_KEY",
            f"{cookie.name}'s MAC does not validate with the example key",
            "it validates: APP_KEY is the key committed in .env.example",
            remedies.APP_KEY,
        )
