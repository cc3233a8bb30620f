"""What a fault is, and the smoke test ids several areas' faults trip."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fault:
    """One named fault: what it does and which smoke checks it must trip.

    A fault with a `default` takes a value (`NAME=VALUE`, a whole number); `{value}` in its
    `env` values is replaced by the given value or the default.
    """

    name: str
    description: str
    trips: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None

    def value_in(self, active: Mapping[str, str | None]) -> str:
        """The value this fault was given among the active faults, or its default ("" if none)."""
        given = active.get(self.name)
        return given if given else self.default or ""


def trips_match(pattern: str, test_id: str) -> bool:
    """Whether a `trips` pattern covers a test id (`*` matches any run of characters)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, test_id) is not None


# `trips` are patterns of smoke test ids (tests_smoke/, `pytest -m smoke`) in which `*` is the
# only wildcard (brackets are literal, unlike fnmatch; see `trips_match`). Each fault fails
# exactly the matching tests and every other smoke test still passes: measured by running the
# smoke suite against a deployment with that one fault.
# /metrics as anyone asks it (the session's question about it is the admin's, below).
METRICS = ("test_metrics_anonymous_*", "test_metrics_exposition_*")
# A failed sign-in fails its own check, `test_sign_in_as_<account>_succeeds`; the checks asked in
# that account's session (feature flags, the metrics flag, the partner's data) are then not
# judged (skipped with the reason), so they are in no fault's `trips` that breaks the sign-in.
HTTP_EVERYTHING = (
    "test_up_*",
    "test_health_*",
    "test_session_cookie_*",
    "test_xsrf_cookie_*",
    "test_security_header_*",
    "test_hsts_*",
    "test_http_redirects_to_https",
    "test_certificate_*",
    "test_debug_endpoint_*",
    "test_no_debug_headers_*",
    "test_json_error_*",
    "test_installer_*",
    "test_login_page_*",
    *METRICS,
    "test_sign_in_*",
    "test_app_key_*",
    "test_deployment_reports_the_expected_release",
)
NOT_IN_MAINTENANCE = (
    "test_http_redirects_to_https",
    "test_certificate_*",
    "test_no_debug_headers_*",
)
HTTPS_VERIFIED = (
    *(
        p
        for p in HTTP_EVERYTHING
        if p not in {"test_http_redirects_to_https", "test_certificate_*"}
    ),
    "test_certificate_is_valid_for_host",
)
COOKIES = ("test_session_cookie_*", "test_xsrf_cookie_*", "test_app_key_*")
# On a fresh deployment the app writes Redis keys only while serving the run's requests.
APP_KEYS = "test_redis_holds_keys_the_app_wrote"
HEALTH_503 = ("test_health_returns_200", "test_health_status_is_healthy")
