"""The reference deployment's stand-in for the Railway CLI's one read the suite makes:
`railway variables --kv [--service S] [--environment E]` (the legacy spelling, still accepted by
CLI 4.x beside `railway variable list --kv`). It prints the service's variables, which here are
the app's `.env`, plus the ones Railway adds to every service; unlike `printenv` in the
container, nothing of a process's own (HOSTNAME, HOME, PATH).

`HOME/bin/railway` wraps it. Anything else is refused the way clap refuses it (exit 2): the
suite must never ask Railway for more than this.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from facturino_reference.appenv import AppConfig
from facturino_reference.artisan import write_wrapper
from facturino_reference.paths import HomeLayout

SERVICE = "facturino"
ENVIRONMENT = "production"
# What Railway injects into every service's variables (a few of them).
RAILWAY_VARIABLES = {
    "RAILWAY_ENVIRONMENT_NAME": ENVIRONMENT,
    "RAILWAY_PROJECT_NAME": "facturino",
    "RAILWAY_SERVICE_NAME": SERVICE,
}
_KNOWN = {"--service": SERVICE, "--environment": ENVIRONMENT}


def run(home: Path, argv: Sequence[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `railway argv`."""
    args = list(argv)
    if args[:1] != ["variables"] or "--kv" not in args:
        shown = " ".join(args) or "(nothing)"
        return 2, "", f"error: the reference's railway answers only `variables --kv`, not {shown}\n"
    options = [a for a in args[1:] if a != "--kv"]
    while options:
        flag, value = options[0], options[1] if len(options) > 1 else None
        if flag not in _KNOWN or value is None:
            return 2, "", f"error: unexpected argument '{flag}' found\n"
        if value != _KNOWN[flag]:
            what = flag.strip("-").capitalize()
            return 1, "", f'{what} "{value}" not found.\n'
        options = options[2:]
    variables = {**AppConfig.load(home).env, **RAILWAY_VARIABLES}
    return 0, "".join(f"{k}={v}\n" for k, v in sorted(variables.items())), ""


def main(home: Path, argv: Sequence[str]) -> int:
    code, stdout, stderr = run(home, argv)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


def write_entry(layout: HomeLayout) -> Path:
    """`HOME/bin/railway`: what `[variables] railway` names for the reference deployment."""
    return write_wrapper(layout, "railway", "railway", "the Railway CLI (variables --kv)")


__all__ = ["main", "run", "write_entry"]
