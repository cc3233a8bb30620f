"""The deployment's environment as the daily variables checks read it: ``printenv`` through
the shell prefix once per run (``Ops`` caches it), and the list of variables the environment
file expects, each with the key that says so."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks.base import fail, shorten
from ..checks.variables import parse_printenv
from ..clients import shell as commands
from ..config import Environment
from .ops import Ops

REMEDY = (
    "set the variable where the deployment gets its environment (`railway variables --set "
    "NAME=VALUE`, or the container's env file and `docker run --env-file`) and redeploy; "
    "with a cached config run `php artisan config:cache` again"
)
SHELL_REMEDY = "check [shell] prefix: `<prefix> printenv` must list the app's variables"


@dataclass(frozen=True)
class Expected:
    value: str
    said_by: str  # the key of the environment file (or the runbook) that names the value


def expected_variables(env: Environment) -> dict[str, Expected]:
    """The critical variables and their values: ``[variables]`` over the runbook's list, and
    the cache store, session driver and queue connection where the file says them (the values
    the drivers check holds the app to)."""
    config = env.variables
    expected = {
        name: Expected(value, "[variables] expected" if name in config.expected else "the runbook")
        for name, value in config.critical.items()
    }
    drivers = {"QUEUE_CONNECTION": Expected(env.queue_connection, env.queue_connection_said_by)}
    if env.redis is not None:
        drivers["CACHE_STORE"] = Expected(env.redis.cache_store, "[redis] cache_store")
        drivers["SESSION_DRIVER"] = Expected(env.redis.session_driver, "[redis] session_driver")
    for name, wanted in drivers.items():
        if name not in expected and name not in config.ignore:
            expected[name] = wanted
    return expected


def printed_environment(ops: Ops) -> dict[str, str]:
    """``printenv`` in the deployment, parsed; a failure (never the output: it holds secrets)
    when it does not run or prints no ``NAME=VALUE`` line."""
    __tracebackhide__ = True
    result = ops.shell(commands.printenv())
    parsed = parse_printenv(result.stdout) if result.exit_code == 0 else None
    if parsed is None:
        said = shorten(ops.redact(result.stderr)) or "no NAME=VALUE line"
        fail(
            "`printenv` lists the deployment's environment",
            "NAME=VALUE lines",
            f"exit {result.exit_code}: {said}",
            SHELL_REMEDY,
        )
    return parsed
