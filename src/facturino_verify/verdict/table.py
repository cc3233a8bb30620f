"""The runbook's verification table, filled in from the run's results (no pytest, no HTML)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .catalog import matches
from .decide import CheckResult


@dataclass(frozen=True)
class Row:
    feature: str
    test: str
    expected: str
    patterns: tuple[str, ...]


# Post-Deployment Verification: Health Checks, Feature Testing, Performance, Monitoring.
# Order matters: a check belongs to the first row that claims it (so /health's bank_sync
# subsystem is "Application health", and the partner dashboard is "Partner", not performance).
ROWS: tuple[Row, ...] = (
    Row("Application health", "curl /up, /health", "HTTP 200 OK, every subsystem healthy",
        ("test_up_*", "test_health_*")),
    Row("Database", "php artisan db:show, migrate:status", "the database answers, nothing pending",
        ("test_database_*", "test_*migration*")),
    Row("Redis", "Cache::put('deployment_test') / Cache::get",
        "Redis answers and holds the app's cache and sessions (where the app uses Redis)",
        ("test_redis_*",)),
    Row("Login", "Visit /admin/login", "Login page loads",
        ("test_*login*", "test_sign_in_*", "*signs_in*", "*wrong_password*")),
    Row("Partner", "Access partner dashboard", "Commission data loads", ("test_partner_*",)),
    # Daily/weekly operations: before "Create Invoice", which would claim "restored invoices".
    Row("Backups", "php artisan backup:list; test backup restore procedure",
        "a recent backup that restores", ("*backup*", "*restore*", "*restored*")),
    Row("Disk", "df -h", "disk usage below the threshold", ("*disk*",)),
    Row("E-Faktura", "Sign invoice with QES", "XML generated, signature valid",
        ("*_ubl_*", "*_ubl", "*signature*", "*_xml*", "*efaktura*", "*e_faktura*",
         "test_company_certificates_*")),
    Row("Create Invoice", "Create test invoice", "Invoice saved & PDF generated",
        ("*invoice*", "*_pdf*")),
    Row("Banking", "Trigger bank sync", "Transactions fetched", ("*_bank*", "*banking*")),
    Row("Payment", "Test Paddle checkout", "Payment flow works",
        ("*webhook*", "*checkout*", "*subscription*", "*payment*")),
    Row("Security", "headers, cookies, TLS, debug off, private files, APP_KEY, installer",
        "production posture", ("test_security_*", "test_hsts_*", "test_session_cookie_*",
                               "test_xsrf_*", "test_certificate_*", "test_http_redirects_*",
                               "test_no_debug_*", "test_json_error_*", "test_debug_endpoint_*",
                               "test_private_file_*", "test_app_key_*", "test_installer_*")),
    Row("Performance", "curl -w @curl-format.txt /admin/dashboard", "< 200 ms average",
        ("*budget*", "*dashboard*", "*latency*", "*timing*", "*baseline*")),
    Row("Queue", "php artisan queue:work --once", "processes a job without errors",
        ("*_job*", "*queue*")),
    Row("Monitoring", "curl /metrics", "Prometheus metrics (admin auth required)",
        ("test_metrics_*", "*alert*", "*error_rate*", "*prometheus*")),
)  # fmt: skip


@dataclass(frozen=True)
class FilledRow:
    row: Row
    result: str  # PASS / FAIL / FLAKY / WAIVED / NOT RUN
    checks: list[CheckResult]


def fill(results: Iterable[CheckResult]) -> list[FilledRow]:
    """Each row with the checks that cover it and one result: any failure makes it FAIL."""
    claimed: dict[str, list[CheckResult]] = {row.feature: [] for row in ROWS}
    for result in results:
        row = next((r for r in ROWS if any(matches(p, result.name) for p in r.patterns)), None)
        if row is not None:
            claimed[row.feature].append(result)
    filled = []
    for row in ROWS:
        mine = claimed[row.feature]
        ran = [r for r in mine if r.outcome in ("passed", "failed", "error", "waived")]
        if not ran:
            outcome = "NOT RUN"
        elif any(r.outcome in ("failed", "error") for r in ran):
            outcome = "FAIL"
        elif any(r.outcome == "waived" for r in ran):
            outcome = "WAIVED"
        else:
            outcome = "FLAKY" if any(r.flaky for r in ran) else "PASS"
        filled.append(FilledRow(row, outcome, mine))
    return filled
