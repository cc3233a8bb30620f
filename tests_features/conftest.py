"""Browser fixtures for the feature flows: pytest-playwright's layering, our Chromium and trust.

The overrides live here (not in the plugin) because a conftest fixture reliably overrides a
plugin's fixture of the same name, whatever order the plugins were loaded in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from facturino_verify.config import ConfigError, Environment
from facturino_verify.plugin import stash
from facturino_verify.runs import browser as browser_setup
from facturino_verify.runs.deployment import Deployment
from facturino_verify.runs.features import FeatureRun


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], environment: Environment
) -> dict[str, Any]:
    """pytest-playwright's launch arguments + ``[browser] executable_path`` (Debian's Chromium by
    default) + SPKI pins of the target's CA and verified certificate (see plugin/browser.py)."""
    try:
        return browser_setup.launch_args(environment, browser_type_launch_args)
    except ConfigError as error:  # after collection: every browser test says why
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def browser_context_args(
    browser_context_args: dict[str, Any], environment: Environment
) -> dict[str, Any]:
    """Contexts start at ``[target] url``; certificate errors are ignored only without TLS
    verification (``[browser] tls = "ignore"`` or ``[target] verify_tls = false``)."""
    return browser_setup.context_args(environment, browser_context_args)


@pytest.fixture(autouse=True)
def _feature_ledger(feature_run: FeatureRun) -> FeatureRun:
    """Every feature test belongs to the run's ledger (tag, leftovers, notes, auth budget)."""
    return feature_run


def _logged_in(
    new_context: Callable[..., BrowserContext],
    deployment: Deployment,
    environment: Environment,
    account: str,
) -> Page:
    context = new_context()
    context.set_default_timeout(environment.browser.timeout_ms)
    context.add_cookies(  # type: ignore[arg-type]
        browser_setup.session_cookies(deployment.session(account), environment.target.url)
    )
    return context.new_page()


@pytest.fixture
def admin_page(
    new_context: Callable[..., BrowserContext], deployment: Deployment, environment: Environment
) -> Page:
    """A page logged in as the admin through the shared session's cookies (no new login)."""
    return _logged_in(new_context, deployment, environment, "admin")


@pytest.fixture
def partner_page(
    new_context: Callable[..., BrowserContext], deployment: Deployment, environment: Environment
) -> Page:
    """A page logged in as the partner through the shared session's cookies (no new login)."""
    return _logged_in(new_context, deployment, environment, "partner")


@pytest.fixture
def visitor_page(new_context: Callable[..., BrowserContext], environment: Environment) -> Page:
    """A page of a fresh visitor: no cookies."""
    context = new_context()
    context.set_default_timeout(environment.browser.timeout_ms)
    return context.new_page()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    env: Environment | None = metafunc.config.stash.get(stash.ENVIRONMENT, None)
    if env is not None and "provider" in metafunc.fixturenames:
        # /webhooks/stripe refuses bad signatures only when STRIPE_WEBHOOK_SECRET is set;
        # without it the probe would store a junk event (contract §20 row 8).
        providers = ["paddle", "cpay"]
        if env.features.payment.stripe_webhook_secret_set:
            providers.append("stripe")
        metafunc.parametrize("provider", providers)
