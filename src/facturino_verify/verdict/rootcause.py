"""Root cause first: when one failure explains others, name it once and list the rest under it.

With the database down, thirty checks fail and most of their remedies point the wrong way
("set SESSION_SECURE_COOKIE=true" for a login page that answers 500); a target that does not
answer fails every HTTP check with the same timeout. The operator needs the one cause and its
remedy. The verdict does not change: every failure still counts for its own severity.

Causes, in the order they are looked for (a failure belongs to the first that explains it):
1. the deployment does not answer over HTTP(S) (refused, timed out, TLS): every check whose
   probe of the app got no answer, and what needs an answer (the form drawn in the browser,
   Redis keys only the app's requests write);
2. the database does not answer: its own probes, and what the app can only serve with it
   (/health, the login page and its cookies, the installer gate, /metrics, the sign-ins);
3. Redis does not answer: its own probes, and, where the app keeps sessions there, every page
   of its web group;
4. a sign-in failed: the checks asked in that session, which were therefore not judged;
5. identical failures (same claim, same answer seen) are collapsed under the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .decide import CheckResult

UNREACHABLE_CLAIM = "the deployment answers (probe '"
FAILED = ("failed", "error")
NOT_JUDGED = "not_judged"

# The app's web-group pages and answers: they need its database (sessions, the installer gate and
# /metrics read it; /health reports it), and Redis too where sessions live there.
WEB_PAGES = (
    "test_health_",
    "test_login_page_",
    "test_session_cookie_",
    "test_xsrf_cookie_",
    "test_app_key_",
    "test_installer_",
    "test_metrics_",
    "test_sign_in_",
    # The version answer reads the updater channel setting: the cache store, then the database.
    "test_deployment_reports_the_expected_release",
)
# Need the app to have answered at all (drawn by its script; written by its requests).
NEEDS_AN_ANSWER = ("test_login_page_shows_login_form", "test_redis_holds_keys_the_app_wrote")


@dataclass(frozen=True)
class RootCause:
    check: str  # the failed check that names the cause
    title: str  # what went wrong, one phrase
    seen: str
    remedy: str
    dependents: tuple[str, ...]  # checks failed (or not judged) because of it


def probe_of(result: CheckResult) -> str | None:
    """The probe a failure could not get an answer from, if that is how it failed."""
    if not result.message.startswith(UNREACHABLE_CLAIM):
        return None
    return result.message[len(UNREACHABLE_CLAIM) :].split("'", 1)[0]


def _is_app_probe(probe: str | None) -> bool:
    return probe is not None and not probe.startswith(("db.", "redis."))


def _named(results: Iterable[CheckResult], prefixes: tuple[str, ...]) -> list[CheckResult]:
    return [r for r in results if r.name.startswith(prefixes)]


Claim = Callable[[CheckResult, str, Iterable[CheckResult]], None]


def find_root_causes(
    results: list[CheckResult], sessions_in_redis: bool = False
) -> list[RootCause]:
    """The causes that explain more than one outcome, each with what it explains."""
    failed = [r for r in results if r.outcome in FAILED]
    open_: dict[str, CheckResult] = {r.nodeid: r for r in failed}
    found: list[tuple[CheckResult, str, list[str]]] = []

    def claim(root: CheckResult, title: str, explained: Iterable[CheckResult]) -> None:
        dependents = [r for r in explained if r.nodeid in open_ and r.nodeid != root.nodeid]
        if not dependents:
            return
        for r in (root, *dependents):
            open_.pop(r.nodeid, None)
        found.append((root, title, list(dict.fromkeys(r.name for r in dependents))))

    _unreachable_app(failed, claim)
    _backend("test_database_answers_select_1", "db.", WEB_PAGES, failed, claim)
    web = WEB_PAGES if sessions_in_redis else ()
    _backend("test_redis_answers_ping", "redis.", web, failed, claim)
    _failed_sign_ins(results, found, claim)
    for group in _identical(list(open_.values())):
        claim(group[0], group[0].message, group)
    return [RootCause(r.name, t, r.seen, r.remedy, tuple(d)) for r, t, d in found]


def _unreachable_app(failed: list[CheckResult], claim: Claim) -> None:
    unanswered = [r for r in failed if _is_app_probe(probe_of(r))]
    if len(unanswered) < 2:
        return
    # The certificate check names the cause only when the certificate is what failed (not a
    # handshake that timed out); else /up, the app's own liveness answer, does.
    bad_certificate = [
        r
        for r in unanswered
        if r.name == "test_certificate_is_valid_for_host" and "certificate" in r.seen.lower()
    ]
    up = [r for r in unanswered if r.name == "test_up_returns_200_application_up"]
    root = (bad_certificate or up or unanswered)[0]
    title = "the deployment does not answer over HTTP(S)"
    claim(root, title, [*unanswered, *_named(failed, NEEDS_AN_ANSWER)])


def _backend(
    root_name: str,
    probe_prefix: str,
    served_with_it: tuple[str, ...],
    failed: list[CheckResult],
    claim: Claim,
) -> None:
    root = next((r for r in failed if r.name == root_name), None)
    if root is None or not (probe_of(root) or "").startswith(probe_prefix):
        return  # it answered (a wrong answer is no outage); nothing to explain with it
    own = [r for r in failed if (probe_of(r) or "").startswith(probe_prefix)]
    what = "the database" if probe_prefix == "db." else "Redis"
    claim(root, f"{what} does not answer", [*own, *_named(failed, served_with_it)])


def _failed_sign_ins(
    results: list[CheckResult], found: list[tuple[CheckResult, str, list[str]]], claim: Claim
) -> None:
    """The checks not judged for want of a session go under whatever made the sign-in fail:
    an earlier cause that took the sign-in check, else the sign-in itself."""
    for root in results:
        match = re.fullmatch(r"test_sign_in_as_(\w+)_succeeds", root.name)
        if match is None or root.outcome not in FAILED:
            continue
        prefix = f"[accounts.{match.group(1)}]: no session"
        unjudged = [r for r in results if r.outcome == NOT_JUDGED and r.message.startswith(prefix)]
        earlier = next((f for f in found if root.name in f[2]), None)
        if earlier is not None:
            earlier[2].extend(r.name for r in unjudged)
        elif unjudged:
            title = f"the suite could not sign in as {match.group(1)}"
            found.append((root, title, [r.name for r in unjudged]))


def _identical(failed: list[CheckResult]) -> list[list[CheckResult]]:
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for r in failed:
        groups.setdefault((r.message, r.seen), []).append(r)
    return [group for group in groups.values() if len(group) > 1]
