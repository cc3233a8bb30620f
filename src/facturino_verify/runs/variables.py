"""The deployment's environment as the daily variables checks read it: ``printenv`` through
the shell prefix, or the service's variables from ``railway variables --kv``, once per run
(``Ops`` caches it), and the list of variables the environment file expects, each with the key
that says so."""

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
SOURCE_REMEDIES = {
    "printenv": "check [shell] prefix: `<prefix> printenv` must list the app's variables",
    "railway": (
        "run the same `railway variables --kv` by hand: log in (RAILWAY_TOKEN in [shell] env), "
        "link the project, and name the service and environment ([variables] railway_service, "
        "railway_environment)"
    ),
}


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


def variables_command(env: Environment) -> commands.Command:
    """The command ``[variables] source`` names: printenv in the deployment, or the Railway
    CLI on this machine."""
    v = env.variables
    if v.source == "railway":
        return commands.railway_variables(v.railway, v.railway_service, v.railway_environment)
    return commands.printenv()


def printed_environment(ops: Ops) -> dict[str, str]:
    """The deployment's variables, parsed; a failure (never the output: it holds secrets)
    when the command does not run or prints no ``NAME=VALUE`` line."""
    __tracebackhide__ = True
    command = variables_command(ops.env)
    result = ops.shell(command)
    parsed = parse_printenv(result.stdout) if result.exit_code == 0 else None
    if parsed is None:
        said = shorten(ops.redact(result.stderr)) or "no NAME=VALUE line"
        fail(
            f"`{command.label}` lists the deployment's environment",
            "NAME=VALUE lines",
            f"exit {result.exit_code}: {said}",
            SOURCE_REMEDIES[ops.env.variables.source],
        )
    return parsed
