"""Daily: the runbook's critical variables ("Railway Environment Variables"; `railway
variables`), read with `printenv` through the shell prefix or with `railway variables --kv`
(`[variables] source`), values masked: only the critical, non-secret ones are ever shown; and
cross-checked with what the app shows from outside: HSTS exactly when APP_ENV=production, debug
headers exactly when APP_DEBUG=true. Add them to the gate with `-m "smoke or variables"`."""

from __future__ import annotations

import pytest

from facturino_verify.checks import variables as checks
from facturino_verify.checks.app import DEBUG_HEADERS
from facturino_verify.config import Environment
from facturino_verify.config.variables import RUNBOOK_VARIABLES
from facturino_verify.plugin import stash
from facturino_verify.runs.ops import Ops
from facturino_verify.runs.probes import Probes
from facturino_verify.runs.variables import (
    REMEDY,
    expected_variables,
    printed_environment,
    variables_command,
)

pytestmark = [pytest.mark.daily, pytest.mark.shell, pytest.mark.variables]
HSTS_REMEDY = (
    "make the running app's config follow its environment: `php artisan config:clear` (or "
    "`config:cache` after the variables are set), no .env baked into the image, and no proxy "
    "adding or stripping the header"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "variable" not in metafunc.fixturenames:
        return
    env: Environment | None = metafunc.config.stash.get(stash.ENVIRONMENT, None)
    names = sorted(expected_variables(env)) if env is not None else sorted(RUNBOOK_VARIABLES)
    metafunc.parametrize("variable", names)


@pytest.fixture
def deployment_variables(
    ops: Ops, environment: Environment, request: pytest.FixtureRequest
) -> dict[str, str]:
    """The deployment's environment (`printenv`, or `railway variables --kv`, once per run);
    this test's report shows it masked: every name, and values only of the critical variables
    whose name is not secret."""
    printed = printed_environment(ops)
    shown = frozenset(expected_variables(environment))
    title = f"{variables_command(environment).label} (masked)"
    request.node.add_report_section("call", title, checks.masked_listing(printed, shown))
    return printed


def test_critical_variable_has_expected_value(
    deployment_variables: dict[str, str], environment: Environment, variable: str
) -> None:
    expected = expected_variables(environment)[variable]
    checks.expect_variable(deployment_variables, variable, expected.value, expected.said_by, REMEDY)


def test_app_env_agrees_with_hsts_seen_from_outside(
    deployment_variables: dict[str, str], probes: Probes
) -> None:
    hsts = probes.result("login_page").headers.get("Strict-Transport-Security")
    app_env = checks.effective("APP_ENV", deployment_variables)
    checks.expect_hsts_agrees_with_app_env(app_env, hsts, HSTS_REMEDY)


def test_app_debug_agrees_with_debug_headers_seen_from_outside(
    deployment_variables: dict[str, str], probes: Probes
) -> None:
    seen: dict[str, str] = {}
    for probe in ("up", "ping"):  # the smoke gate's own answers: no request of its own
        headers = probes.result(probe).headers
        seen.update({name: headers[name] for name in DEBUG_HEADERS if name in headers})
    app_debug = checks.effective("APP_DEBUG", deployment_variables)
    checks.expect_debug_headers_agree_with_app_debug(app_debug, seen, HSTS_REMEDY)
