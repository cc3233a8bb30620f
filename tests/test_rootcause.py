"""Root cause first (verdict/rootcause.py): one cause named once, the failures it explains under
it, everything else left as it is."""

from __future__ import annotations

from facturino_verify.verdict.decide import CheckResult
from facturino_verify.verdict.rootcause import find_root_causes

REFUSED = "PostgreSQL 127.0.0.1:5432/facturino: connection refused"


def failed(name: str, message: str, seen: str = "", remedy: str = "") -> CheckResult:
    return CheckResult(
        f"tests_smoke/t.py::{name}",
        name,
        "critical",
        "bad_deployment",
        "failed",
        0.0,
        0,
        message,
        seen,
        remedy,
    )


def unanswered(name: str, probe: str, seen: str = "timed out") -> CheckResult:
    return failed(name, f"the deployment answers (probe '{probe}')", seen, f"remedy of {name}")


def passed(name: str) -> CheckResult:
    return CheckResult(f"tests_smoke/t.py::{name}", name, "major", "bad_deployment", "passed")


def test_an_unreachable_app_is_one_cause_with_every_unanswered_check_under_it() -> None:
    results = [
        unanswered("test_health_returns_200", "health"),
        unanswered("test_up_returns_200_application_up", "up"),
        unanswered("test_session_cookie_secure_flag", "login_page"),
        failed("test_login_page_shows_login_form", "the login page renders the login form"),
        failed("test_redis_holds_keys_the_app_wrote", "Redis holds keys the app wrote"),
        passed("test_redis_answers_ping"),
    ]
    (cause,) = find_root_causes(results)
    assert cause.check == "test_up_returns_200_application_up"
    assert cause.title == "the deployment does not answer over HTTP(S)"
    assert cause.remedy == "remedy of test_up_returns_200_application_up"
    assert set(cause.dependents) == {
        "test_health_returns_200",
        "test_session_cookie_secure_flag",
        "test_login_page_shows_login_form",
        "test_redis_holds_keys_the_app_wrote",
    }


def test_a_wrong_certificate_is_named_before_the_failures_it_causes() -> None:
    results = [
        unanswered("test_up_returns_200_application_up", "up", "certificate verify failed"),
        unanswered(
            "test_certificate_is_valid_for_host", "certificate", "certificate verify failed"
        ),
    ]
    (cause,) = find_root_causes(results)
    assert cause.check == "test_certificate_is_valid_for_host"


def test_database_down_explains_what_the_app_serves_with_it_but_not_an_unrelated_failure() -> None:
    results = [
        unanswered("test_database_answers_select_1", "db.version", REFUSED),
        unanswered("test_no_migration_is_pending", "db.migrations", REFUSED),
        failed("test_health_returns_200", "GET /health answers 200"),
        failed(
            "test_session_cookie_secure_flag", "the login page sets the facturino_session cookie"
        ),
        failed("test_sign_in_as_admin_succeeds", "the suite signs in as admin@facturino.test"),
        failed("test_hsts_matches_app_env", "Strict-Transport-Security is sent in production"),
    ]
    (cause,) = find_root_causes(results)
    assert (cause.check, cause.title, cause.seen) == (
        "test_database_answers_select_1",
        "the database does not answer",
        REFUSED,
    )
    assert "test_hsts_matches_app_env" not in cause.dependents  # the database cannot explain it
    assert len(cause.dependents) == 4


def test_a_database_that_answers_wrongly_is_no_outage() -> None:
    results = [
        failed("test_database_answers_select_1", "SELECT 1 answers 1"),
        unanswered("test_no_migration_is_pending", "db.migrations"),
    ]
    assert find_root_causes(results) == []


def test_redis_down_explains_web_pages_only_where_sessions_live_in_redis() -> None:
    results = [
        unanswered("test_redis_answers_ping", "redis.ping"),
        unanswered("test_redis_round_trips_the_runners_own_key", "redis.round_trip"),
        failed("test_login_page_serves_the_spa_shell", "the login page answers 200"),
    ]
    (with_sessions,) = find_root_causes(results, sessions_in_redis=True)
    assert "test_login_page_serves_the_spa_shell" in with_sessions.dependents
    (without,) = find_root_causes(results, sessions_in_redis=False)
    assert without.dependents == ("test_redis_round_trips_the_runners_own_key",)


def test_a_refused_sign_in_explains_the_checks_not_judged_for_want_of_its_session() -> None:
    unjudged = CheckResult(
        "tests_smoke/t.py::test_feature_flags_match_expected_matrix",
        "test_feature_flags_match_expected_matrix",
        "critical",
        "bad_deployment",
        "not_judged",
        message="[accounts.admin]: no session: this check needs the session and the sign-in failed",
    )
    refused = failed(
        "test_sign_in_as_admin_succeeds",
        "the suite signs in as admin@facturino.test",
        "422",
        "check the password",
    )
    (cause,) = find_root_causes([refused, unjudged, passed("test_sign_in_as_partner_succeeds")])
    assert (cause.check, cause.remedy) == ("test_sign_in_as_admin_succeeds", "check the password")
    assert cause.dependents == ("test_feature_flags_match_expected_matrix",)


def test_identical_failures_are_collapsed_and_different_ones_kept() -> None:
    same = "the login page sets the facturino_session cookie"
    results = [
        failed("test_session_cookie_secure_flag", same, "no cookies"),
        failed("test_session_cookie_same_site", same, "no cookies"),
        failed("test_hsts_matches_app_env", "HSTS is sent", "no header"),
    ]
    (cause,) = find_root_causes(results)
    assert (cause.check, cause.dependents) == (
        "test_session_cookie_secure_flag",
        ("test_session_cookie_same_site",),
    )


def test_a_healthy_run_has_no_cause() -> None:
    assert find_root_causes([passed("test_up_returns_200_application_up")]) == []
