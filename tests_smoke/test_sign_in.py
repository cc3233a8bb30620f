"""The suite's own sign-ins, one check per account: a refused sign-in is named with whose
credentials and the app's answer, and the checks that need its session are not judged (never
failed with a remedy that has nothing to do with it)."""

from __future__ import annotations

import pytest

from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


@pytest.mark.admin_account
def test_sign_in_as_admin_succeeds(probes: Probes) -> None:
    assert probes.signed_in("admin") is not None


@pytest.mark.partner_account
def test_sign_in_as_partner_succeeds(probes: Probes) -> None:
    assert probes.signed_in("partner") is not None
