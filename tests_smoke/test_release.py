"""Issue 15, release identity: the deployment reports the release that was deployed. Another
version answering means the deploy did not go out, or an old container still serves. A release
verified by a GO run is kept in the history: the next deploy's rollback target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from facturino_verify.checks import release
from facturino_verify.config.release import ExpectedRelease
from facturino_verify.runs.history import RELEASE_VERIFIED
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.release]


def test_deployment_reports_the_expected_release(
    probes: Probes,
    expected_release: ExpectedRelease,
    record_state: Callable[[str, Any], None],
) -> None:
    release.expect_release(
        probes.result("app_version"), expected_release.version, expected_release.source
    )
    record_state(RELEASE_VERIFIED, expected_release.version)
