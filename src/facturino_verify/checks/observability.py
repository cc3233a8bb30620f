"""Checks of what the app exposes about itself: feature flags, partner data.

/metrics has its own module, metrics.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import remedies
from .base import fail, shorten

# The mocked partner API's fixed values (contract §9): any of them together means mocked data.
MOCKED_FINGERPRINT = {
    "active_clients": 12,
    "monthly_commissions": 85000,
    "processed_invoices": 234,
    "pending_payout": 127500,
    "total_earned": 458300,
}


def expect_feature_flags(actual: Mapping[str, Any], expected: Mapping[str, bool]) -> None:
    __tracebackhide__ = True
    drift = {
        key: {"expected": want, "seen": actual.get(key, "(missing)")}
        for key, want in expected.items()
        if actual.get(key) is not want
    }
    if drift:
        fail(
            "feature flags match the environment's matrix",
            dict(expected),
            drift,
            remedies.FEATURE_FLAGS,
        )


def mocked_signs(body: Any) -> list[str]:
    """Why a partner API body looks mocked; empty when it looks real."""
    if not isinstance(body, dict):
        return []
    signs = []
    if "mocked" in body:
        signs.append(f"'mocked': {body['mocked']!r}")
    warning = str(body.get("warning", ""))
    if "MOCKED" in warning.upper():
        signs.append(f"warning {shorten(warning, 80)!r}")
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    matches = [
        k for k, v in MOCKED_FINGERPRINT.items() if isinstance(data, dict) and data.get(k) == v
    ]
    if len(matches) >= 2:
        signs.append(f"the mocked fingerprint ({', '.join(matches)})")
    return signs


def expect_not_mocked(body: Any, where: str) -> None:
    __tracebackhide__ = True
    signs = mocked_signs(body)
    if signs:
        fail(
            f"{where} serves real partner data",
            "no mocked key, warning or fingerprint",
            "; ".join(signs),
            remedies.PARTNER_MOCKED,
        )
