"""Release identity: the version the deployment reports is the release that was deployed.

The real app answers ``GET /api/v1/app/version`` (public, ``routes/api.php:168``) with
``{"version": <version.md without line breaks>, "channel": <updater_channel setting>}``
(``AppVersionController.php:18-29``). Its ``version.md`` holds ``2.1.1`` and InvoiceShelf tags
its releases ``2.1.1`` too: neither carries a leading "v", so versions are compared exactly, and
a difference of only a "v" is named as such (the tag convention differs from the build's file,
which is not an old release answering)."""

from __future__ import annotations

import httpx

from .base import fail, shorten
from .http import described, expect_status, json_body
from .remedies import SERVER_ERROR

CLAIM = "the deployment reports the expected release (GET /api/v1/app/version)"
OLD_RELEASE = (
    "the deploy did not go out or an old container still serves: check which deployment is "
    "live (`railway status`, `docker ps` on the host) and that the image was built from the "
    "release; redeploy it, or roll back to the last good release if the new one never started"
)
VERSION_FILE = (
    "the app reports its build's version.md: write the release into it at build time "
    "(`git describe --tags > version.md`), or expect exactly what it holds"
)
V_ONLY = (
    "the versions differ only by a leading 'v': the release tag and the build's version.md "
    "follow different conventions. Write version.md from the tag at build time "
    "(`git describe --tags > version.md`) or pass the version as the app reports it"
)


def reported_version(response: httpx.Response) -> tuple[str, str]:
    """(version, channel) from the app's answer; a failure when it has none to give."""
    __tracebackhide__ = True
    # A 500 is the app failing (its setting read through the cache and the database), not
    # version.md: the server-error remedy names where to look.
    expect_status(response, 200, CLAIM, SERVER_ERROR if response.is_server_error else VERSION_FILE)
    body = json_body(response, CLAIM, VERSION_FILE)
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, str) or not version:
        fail(CLAIM, 'JSON {"version": "…", "channel": "…"}', described(response), VERSION_FILE)
    channel = body.get("channel")
    return version, channel if isinstance(channel, str) else "?"


def expect_release(response: httpx.Response, expected: str, source: str) -> None:
    """The deployment reports ``expected`` (from ``source``), character for character."""
    __tracebackhide__ = True
    version, channel = reported_version(response)
    if version == expected:
        return
    seen = f"{shorten(version, 80)} (channel {shorten(channel, 20)})"
    only_v = version.removeprefix("v") == expected.removeprefix("v")
    fail(CLAIM, f"{expected} ({source})", seen, V_ONLY if only_v else OLD_RELEASE)
