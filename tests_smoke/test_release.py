"""Issue 15, release identity: the deployment reports the release that was deployed. Another
version answering means the deploy did not go out, or an old container still serves."""

from __future__ import annotations

import pytest

from facturino_verify.checks import release
from facturino_verify.config.release import ExpectedRelease
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.release]


def test_deployment_reports_the_expected_release(
    probes: Probes, expected_release: ExpectedRelease
) -> None:
    release.expect_release(
        probes.result("app_version"), expected_release.version, expected_release.source
    )
