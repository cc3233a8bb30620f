"""Profiles: which Facturino the reference deployment is.

`upstream` reproduces the real application at `bloodyteeths/mkfakturi@d5d901d7`, known defects
included (each one traced to the real source by the fidelity audit). `default` is the same app
with those defects fixed: what a correct release looks like, and what the demo shows as GO.
Faults apply on top of either.

Like a fault, a defect is configuration: a reference-only `.env` knob the app reads (the app
never asks "which profile am I?"). Every knob has the value that reproduces the defect and the
value of the fixed app; `default` writes the fixed values, `upstream` the defective ones.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from facturino_reference.errors import DeploymentError


@dataclass(frozen=True)
class Defect:
    """A known defect of the real app: where it is, what it does, and the knob that has it."""

    name: str
    where: str  # file:line in bloodyteeths/mkfakturi at d5d901d7
    description: str
    knob: str
    upstream: str  # the knob's value that reproduces the defect
    fixed: str  # the knob's value of the app with the defect fixed


DEFECTS: tuple[Defect, ...] = (
    Defect(
        "metrics_500",
        "app/Http/Controllers/PrometheusController.php:42,97, bootstrap/app.php",
        "with the monitoring feature on, /metrics calls clear() and setGauge(), which "
        "arquivei/laravel-prometheus-exporter does not have: a PHP Error, answered 500 "
        "(Laravel's Server Error page); and PrometheusMiddleware is registered nowhere, so "
        "no request is counted (fixed: the controller's gauges and the middleware's request "
        "metrics in the exporter's fakturino_ namespace)",
        "MK_METRICS_CONTROLLER",
        "upstream",
        "fixed",
    ),
    Defect(
        "ubl_minor_units",
        "Modules/Mk/Services/MkUblMapper.php:343,365-371",
        "UBL amounts are the invoice's integer cents printed as money (18520.50 MKD becomes "
        '1852050.00), every amount carries currencyID="EUR", and an invoice without taxes '
        "has no cac:TaxTotal",
        "MK_UBL_AMOUNTS",
        "upstream",
        "fixed",
    ),
    Defect(
        "signature_reindented",
        "Modules/Mk/Services/MkXmlSigner.php:46-47,87",
        "the signed export is re-indented (formatOutput) after the digest was computed, so "
        "the signature no longer verifies over the bytes sent",
        "MK_XML_FORMAT_OUTPUT",
        "after_signing",
        "none",
    ),
    Defect(
        "hash_without_key",
        "config/hashids.php, app/Models/Invoice.php:549",
        "Hashids reads only the first alphabet-length characters of the salt "
        "`App\\Models\\Invoice` + APP_KEY, so the key never reaches it: invoice PDF URLs "
        "are the same on every deployment and can be enumerated",
        "MK_HASHIDS_SALT",
        "class_then_key",
        "key_then_class",
    ),
    Defect(
        "health_cannot_fail",
        "app/Http/Controllers/HealthController.php:69,128-160,175-200,304,340-400",
        "five /health sub-checks cannot report a problem: redis is true without testing "
        "unless the cache store is redis; signer is true when the certificate is missing or "
        "unreadable; bank_sync reads telescope_entries (absent in production); certificates "
        "needs a column no migration creates; paddle is true on every path",
        "MK_HEALTH_CHECKS",
        "upstream",
        "fixed",
    ),
    Defect(
        "commission_fields",
        "Modules/Mk/Partner/Controllers/PartnerDashboardController.php (commissions), "
        "resources/scripts/partner/views/dashboard/DashboardTable.vue",
        "the commissions API sends `event_type` and no `status`, while the SPA's table reads "
        "`type` and `status`: the Type cell is empty and the Status badge shows the raw key "
        "partner_dashboard.status_undefined",
        "MK_PARTNER_COMMISSION_FIELDS",
        "upstream",
        "fixed",
    ),
    Defect(
        "config_uncached",
        "docker-entrypoint.sh:86-97, nixpacks.toml [phases.build]",
        "the release never runs the runbook's `php artisan config:cache`: the entrypoint runs "
        "`config:clear` on purpose ('Railway injects env vars at runtime') and caches only "
        "routes, views and events; `about --only=cache` shows config NOT CACHED",
        "MK_BUILD_CONFIG_CACHE",
        "cleared",
        "cached",
    ),
)

DEFECTS_BY_NAME: dict[str, Defect] = {d.name: d for d in DEFECTS}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    defects: tuple[Defect, ...]
    db: str = "postgresql"  # the database `up` runs unless --db says otherwise

    def env(self) -> dict[str, str]:
        """The knobs of every defect: the defective value for this profile's, else fixed."""
        mine = {d.name for d in self.defects}
        return {d.knob: d.upstream if d.name in mine else d.fixed for d in DEFECTS}


PROFILES: dict[str, Profile] = {
    "default": Profile(
        "default",
        "the real app at d5d901d7 with its known defects fixed: what a correct release does",
        (),
    ),
    "upstream": Profile(
        "upstream",
        "the real app at d5d901d7 as it is, its known defects included (on MySQL, as "
        "production runs it)",
        DEFECTS,
        db="mysql",
    ),
}
DEFAULT_PROFILE = "default"


def profile_named(name: str) -> Profile:
    """The profile, or a DeploymentError naming the known ones (and a close match)."""
    if name in PROFILES:
        return PROFILES[name]
    close = difflib.get_close_matches(name, PROFILES, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise DeploymentError(f"unknown profile '{name}'.{hint} Known: {', '.join(PROFILES)}")


def profile_env(name: str) -> Mapping[str, str]:
    return profile_named(name).env()


def describe_profiles() -> str:
    """The text of `facturino-reference profiles`."""
    lines = ["Profiles for `up --profile NAME` (faults apply on top of either):", ""]
    for profile in PROFILES.values():
        lines.append(f"{profile.name}: {profile.description}")
        for defect in profile.defects:
            lines.append(f"  - {defect.name} ({defect.where}): {defect.description}")
        lines.append("")
    return "\n".join(lines).rstrip()
