"""/health's sub-checks as evidence, and what the suite checks where /health cannot tell.

A ``false`` from any sub-check is a failure. A ``true`` counts as evidence only from a sub-check
the app's HealthController can make false: the real one at d5d901d7 cannot for five of them
(``WHY_NOT_EVIDENCE`` gives its line and what the suite judges instead), so the environment
lists those in ``[expect] health_checks_cannot_fail`` and their ``true`` is reported as a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import remedies
from .base import fail

# The bank sync jobs of the real app (app/Jobs, Modules/Mk/Jobs at d5d901d7).
BANK_SYNC_JOBS = (
    "App\\Jobs\\SyncBankTransactions",
    "Modules\\Mk\\Jobs\\SyncNlb",
    "Modules\\Mk\\Jobs\\SyncStopanska",
    "Modules\\Mk\\Jobs\\SyncKomer",
)
WHY_NOT_EVIDENCE = {
    "redis": (
        "HealthController.php:69 returns true without testing anything unless CACHE_STORE=redis "
        "(sessions and the queue on Redis are never tested); Redis is judged by test_redis_*"
    ),
    "signer": (
        "HealthController.php:133-168 returns true when the signer certificate is unset, "
        "missing or unreadable and on any error, false only within 7 days of expiry; the "
        "certificate itself is judged by the features suite's test_signer_certificate_*"
    ),
    "bank_sync": (
        "HealthController.php:182-195 counts Telescope log entries in telescope_entries, which "
        "migration 2018_08_08_100000 creates but nothing fills in production (laravel/telescope "
        "is require-dev, not installed); failed bank syncs are judged by "
        "test_bank_sync_jobs_are_not_failing (failed_jobs)"
    ),
    "certificates": (
        "HealthController.php:304 needs certificates.expires_at, a column no migration creates "
        "(2025_11_11_100003 has valid_to), so it returns true; company certificates are judged "
        "by test_company_certificates_do_not_expire_within_30_days (valid_to)"
    ),
    "paddle": (
        "HealthController.php:337-359 asks for cashier.public_key and cashier.webhook.secret, "
        "which config/cashier.php does not define, so it returns true before any test (and "
        "true on every later path, :377, :385, :396); Paddle is not checked here: the suite "
        "has no Paddle credentials"
    ),
}


def not_evidence(name: str) -> str:
    """The note for a ``true`` that proves nothing: why, and what judges that subsystem."""
    why = WHY_NOT_EVIDENCE.get(name, "listed in [expect] health_checks_cannot_fail")
    return f"/health {name}=true is not evidence: {why}"


@dataclass(frozen=True)
class Certificate:
    """A company's active QES certificate (``certificates``: valid_to, is_active)."""

    company_id: int
    name: str
    days_left: float


def expect_certificates_not_expiring(expiring: Sequence[Certificate], days: int) -> None:
    __tracebackhide__ = True
    if expiring:
        seen = ", ".join(
            f"company {c.company_id} '{c.name}' "
            + (f"expired {-c.days_left:.0f} days ago" if c.days_left < 0 else
               f"{c.days_left:.0f} days left")
            for c in sorted(expiring, key=lambda c: c.days_left)
        )  # fmt: skip
        fail(
            f"no active company QES certificate expires within {days} days (certificates."
            "valid_to; what HealthController's certificates check was written for)",
            f"every active certificate valid for more than {days} days",
            seen,
            remedies.CERTIFICATES,
        )


def expect_bank_syncs_not_failing(failed: int, maximum: int) -> None:
    __tracebackhide__ = True
    if failed > maximum:
        fail(
            f"at most {maximum} bank sync jobs failed in the last 24 h (failed_jobs; what "
            "HealthController's bank_sync check was written for)",
            f"≤ {maximum}",
            f"{failed} failed",
            remedies.BANK_SYNC,
        )
