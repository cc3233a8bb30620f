"""The web root serves no private file of the project: not the .env (APP_KEY, database and
Redis passwords, API keys), not the git config, not Laravel's log."""

from __future__ import annotations

import pytest

from facturino_verify.checks import app
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def test_private_file_is_not_served(probes: Probes, private_path: str) -> None:
    app.expect_private_file_not_served(probes.result(f"private_path {private_path}"))
