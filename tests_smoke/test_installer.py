"""The web installer must be closed on an installed deployment (contract §4, §21)."""

from __future__ import annotations

import pytest

from facturino_verify.checks import app
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_installer_page_redirects_away(probes: Probes) -> None:
    app.expect_installer_closed(probes.result("installation"))


def test_installer_api_is_not_served(probes: Probes) -> None:
    app.expect_installer_closed(probes.result("installation_api"))
