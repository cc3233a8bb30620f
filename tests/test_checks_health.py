"""/health's sub-checks as evidence, and the database checks that judge what two of them
were written for."""

from __future__ import annotations

import pytest

from facturino_verify.checks import CheckFailed, health, remedies
from facturino_verify.checks.health import Certificate
from facturino_verify.config.model import HEALTH_CHECKS_CANNOT_FAIL


def test_every_sub_check_the_real_controller_cannot_fail_has_its_line_and_cross_check() -> None:
    assert set(health.WHY_NOT_EVIDENCE) == set(HEALTH_CHECKS_CANNOT_FAIL)
    for name in HEALTH_CHECKS_CANNOT_FAIL:
        note = health.not_evidence(name)
        assert note.startswith(f"/health {name}=true is not evidence: HealthController.php:")


def test_a_check_named_only_by_the_environment_gets_a_generic_note() -> None:
    assert health.not_evidence("mail") == (
        "/health mail=true is not evidence: listed in [expect] health_checks_cannot_fail"
    )


def test_certificates_valid_for_longer_pass() -> None:
    health.expect_certificates_not_expiring([], 30)


def test_expiring_and_expired_certificates_fail_soonest_first() -> None:
    expiring = [Certificate(1, "QES 2025", 10.2), Certificate(2, "old", -3.0)]
    with pytest.raises(CheckFailed) as caught:
        health.expect_certificates_not_expiring(expiring, 30)
    assert caught.value.seen == (
        "company 2 'old' expired 3 days ago, company 1 'QES 2025' 10 days left"
    )
    assert caught.value.remedy == remedies.CERTIFICATES


def test_bank_sync_failures_up_to_the_maximum_pass_and_more_fail() -> None:
    health.expect_bank_syncs_not_failing(10, 10)
    with pytest.raises(CheckFailed) as caught:
        health.expect_bank_syncs_not_failing(12, 10)
    assert (caught.value.seen, caught.value.remedy) == ("12 failed", remedies.BANK_SYNC)
