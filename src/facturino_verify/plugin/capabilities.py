"""Capability markers: a test declares what it needs, the environment grants it or the test is
deselected with the reason shown (never silently)."""

from __future__ import annotations

import pytest

from ..config import Environment
from ..config.dns import dns_refusal
from . import stash
from .options import CAPABILITY_MARKERS
from .verdict import register_checks


def missing_capabilities(env: Environment, release_known: bool = False) -> dict[str, str]:
    """Capability → why this environment does not grant it (granted ones are absent).
    ``release_known``: the run has an expected release (``--expect-release`` or [release])."""
    name = env.name
    refused = {
        "writes": None if env.allow.writes else f"environment '{name}' does not allow writes",
        "browser": None if env.allow.browser else f"environment '{name}' does not allow a browser",
        "shell": _shell_refusal(env),
        "queue_work": _shell_refusal(env)
        or (
            None
            if env.allow.queue_work
            else f"environment '{name}' does not allow `queue:work --once` ([allow] queue_work)"
        ),
        "backup_folder": None
        if env.backups.folder
        else f"environment '{name}' names no backup folder ([backups] folder)",
        "backup_bucket": None
        if env.backups.bucket
        else f"environment '{name}' names no backup bucket ([backups.bucket])",
        "rehearsal": None
        if env.predeploy.workdir
        else f"environment '{name}' names no release checkout ([predeploy] workdir)",
        "db": None if env.database else f"environment '{name}' has no [database] section",
        "redis": _redis_refusal(env),
        "admin_account": None
        if "admin" in env.accounts
        else f"environment '{name}' has no [accounts.admin]",
        "partner_account": None
        if "partner" in env.accounts
        else f"environment '{name}' has no [accounts.partner]",
        "metrics_auth": _metrics_refusal(env),
        "prometheus": None
        if env.monitoring.prometheus_url
        else f"environment '{name}' names no [monitoring] prometheus_url",
        "perf_baseline": None
        if env.perf.baseline_file
        else f"environment '{name}' names no [perf] baseline_file",
        "release": None if release_known else _release_refusal(env),
        "dns": dns_refusal(env.dns, env.target.host),
    }
    return {cap: why for cap, why in refused.items() if why is not None}


def _redis_refusal(env: Environment) -> str | None:
    """Redis checks need a [redis] section and an app that uses Redis for something: with the
    image's baked drivers (database) it does not, and its Redis is no part of its health."""
    if env.redis is None:
        return f"environment '{env.name}' has no [redis] section"
    if not env.redis_uses:
        return (
            f"environment '{env.name}' says the app uses Redis for nothing ([redis] "
            "cache_store and session_driver are not 'redis', and it queues on "
            f"'{env.queue_connection}': {env.queue_connection_said_by})"
        )
    return None


def _metrics_refusal(env: Environment) -> str | None:
    """/metrics can be read anonymously where it is open (the real app has no auth), else
    only with credentials; where it is expected disabled there is nothing to read."""
    expect = env.metrics.expect
    if expect == "disabled":
        return (
            f"environment '{env.name}' expects /metrics disabled ([metrics] expect = "
            '"disabled"): there is no exposition to read'
        )
    if expect == "auth_required" and not env.metrics.has_credentials:
        return (
            f"environment '{env.name}' expects /metrics to require auth ([metrics] expect = "
            '"auth_required") and gives no [metrics] token or username'
        )
    return None


def _release_refusal(env: Environment) -> str | None:
    """Without an expected release the release identity is not judged: deselected with this
    reason (terminal, HTML report), never passed for want of anything to compare with."""
    if env.release.version or env.release.checkout:
        return None
    return (
        f"release identity not judged: environment '{env.name}' names no expected release "
        "(--expect-release, [release] version or [release] checkout)"
    )


def _shell_refusal(env: Environment) -> str | None:
    """Shell checks need both the permission and a way in (the command prefix)."""
    if not env.allow.shell:
        return f"environment '{env.name}' grants no shell ([allow] shell)"
    if not env.shell.prefix:
        return f"environment '{env.name}' names no command prefix ([shell] prefix)"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # trylast: -m/-k have already deselected; only report what they kept.
    if stash.ENVIRONMENT not in config.stash:
        return
    release_known = config.stash.get(stash.RELEASE, None) is not None
    missing = missing_capabilities(config.stash[stash.ENVIRONMENT], release_known)
    keep, drop = [], []
    for item in items:
        needs = [m.name for m in item.iter_markers() if m.name in CAPABILITY_MARKERS]
        reasons = [missing[cap] for cap in dict.fromkeys(needs) if cap in missing]
        if reasons:
            drop.append(item)
            config.stash[stash.DESELECTED].append((item.nodeid, "; ".join(reasons)))
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    register_checks(config, keep, drop)
