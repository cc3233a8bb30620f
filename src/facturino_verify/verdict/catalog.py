"""Every check's default severity and the runbook scenario its failure calls for.

Severities (issue: the release verdict): ``critical`` — a failure means roll back; ``major`` — it
blocks the release, no rollback needed; ``warning`` — reported, never blocks. Defaults follow the
runbook; an environment overrides them in ``[severity]``.

Patterns are test names (with parameters) where ``*`` is the only wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Severity = Literal["critical", "major", "warning"]
SEVERITIES: tuple[Severity, ...] = ("critical", "major", "warning")
Scenario = Literal["bad_deployment", "migration_failure", "critical_bug"]


@dataclass(frozen=True)
class Rule:
    pattern: str
    severity: Severity
    scenario: Scenario = "bad_deployment"


# First match wins, so specific patterns come before broad ones.
RULES: tuple[Rule, ...] = (
    # Migration failures: restore the backup and roll the migration back (scenario 2).
    Rule("test_newest_expected_migration_has_run", "critical", "migration_failure"),
    Rule("test_no_migration_is_pending", "critical", "migration_failure"),
    # Exposures that need the app taken down now, then reverted (scenario 3).
    Rule("test_app_key_is_not_the_public_example", "critical", "critical_bug"),
    Rule("test_installer_*", "critical", "critical_bug"),
    Rule("test_partner_data_is_not_mocked*", "critical", "critical_bug"),
    Rule("test_unique_hash_*", "critical", "critical_bug"),
    # The application itself is broken: redeploy the last good release (scenario 1).
    Rule("test_up_*", "critical"),
    # Another version answers: the deploy did not go out, or an old container still serves.
    Rule("test_deployment_reports_the_expected_release", "critical"),
    Rule("test_health_returns_200", "critical"),
    Rule("test_health_status_is_healthy", "critical"),
    Rule("test_health_check_passes[database]", "critical"),
    Rule("test_health_check_passes[redis]", "critical"),
    Rule("test_health_check_passes[storage]", "critical"),
    Rule("test_health_check_passes[queues]", "major"),
    Rule("test_health_check_passes[backup]", "major"),
    Rule("test_health_check_passes[signer]", "major"),
    Rule("test_health_check_passes[*]", "warning"),
    Rule("test_health_reports_expected_environment", "critical"),
    Rule("test_database_*", "critical"),
    Rule("test_redis_answers_ping", "critical"),
    Rule("test_redis_round_trips_the_runners_own_key", "critical"),
    # The app writes no cache entry or session where the environment says: it still works
    # (on its database drivers), but not as configured.
    Rule("test_redis_holds_keys_the_app_wrote", "major"),
    # The suite signs in as the login page's users do: a refusal is the login flow failing.
    Rule("test_sign_in_as_*", "critical"),
    Rule("test_login_*", "critical"),
    Rule("test_*login*", "critical"),
    Rule("test_no_debug_headers*", "critical"),
    Rule("test_json_error_carries_no_exception_trace", "critical"),
    Rule("test_debug_endpoint_is_not_served*", "critical"),
    Rule("test_private_file_is_not_served*", "critical"),
    Rule("test_session_cookie_has_expected_name", "critical"),
    # Security posture and operations: block the release, fix forward.
    Rule("test_session_cookie_*", "major"),
    Rule("test_xsrf_cookie_*", "major"),
    Rule("test_security_header_*", "major"),
    Rule("test_hsts_*", "major"),
    Rule("test_http_redirects_to_https", "major"),
    Rule("test_certificate_is_valid_for_host", "critical"),
    Rule("test_certificate_does_not_expire_soon", "major"),
    # Trusted and valid today (the two checks above judge that), but not from the CA that
    # renews it: the next renewal is not in place. Reported, not blocking.
    Rule("test_certificate_is_issued_by_expected_ca", "warning"),
    # Nobody reaches an app whose name does not resolve: blocks the release. Not critical:
    # rolling the app back does not bring a DNS record back (the remedy is at the provider).
    Rule("test_dns_app_host_has_a_record", "major"),
    # A wrong `www` loses the alias (on the Hetzner VPS, the marketing site's name); the app's
    # own host still answers.
    Rule("test_dns_cname_points_at_the_app*", "warning"),
    Rule("test_metrics_*", "major"),
    Rule("test_feature_flags_*", "major"),
    Rule("test_no_job_reserved_*", "major"),
    Rule("test_pending_jobs_*", "major"),
    Rule("test_failed_jobs_*", "major"),
    Rule("test_jobs_are_only_on_the_configured_queue_connection", "major"),
    Rule("test_company_certificates_*", "major"),
    Rule("test_bank_sync_jobs_are_not_failing", "major"),
    # The environment's critical variables (printenv): debug on or the wrong environment
    # exposes traces and drops HSTS; the rest (Telescope, flags, session) blocks (default major).
    Rule("test_critical_variable_has_expected_value[APP_DEBUG]", "critical"),
    Rule("test_critical_variable_has_expected_value[APP_ENV]", "critical"),
    Rule("test_app_debug_agrees_with_debug_headers_seen_from_outside", "critical"),
    # Uncached config/routes/views cost boot time on every request; nothing breaks.
    Rule("test_framework_caches_are_built", "warning"),
)
DEFAULT_SEVERITY: Severity = "major"


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def matches(pattern: str, name: str) -> bool:
    """``*`` is the only wildcard; brackets are literal (unlike fnmatch)."""
    return _regex(pattern).fullmatch(name) is not None


def default_rule(name: str) -> Rule:
    return next((r for r in RULES if matches(r.pattern, name)), Rule(name, DEFAULT_SEVERITY))
