"""The operations commands of `facturino-reference`: `shell` (the container's shell, for the
suite's shell checks), `railway` (the Railway CLI's `variables --kv`), `backup` (`php artisan
backup:run --only-db` now) and `up --with-bucket`."""

from __future__ import annotations

import argparse
import os
import sys

from facturino_reference import bucket, railwaycli
from facturino_reference.artisan import main as shell_main
from facturino_reference.errors import DeploymentError
from facturino_reference.faults.ops import take_backups
from facturino_reference.paths import HomeLayout, resolve_home

COMMANDS = ("shell", "railway", "backup")


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    up: argparse.ArgumentParser,
    home_help: str,
) -> None:
    up.add_argument(
        "--with-bucket",
        dest="with_bucket",
        action="store_true",
        help=f"also start a local S3-compatible bucket on base+{bucket.OFFSET} (moto) and copy "
        "each backup there (the app's r2backup disk)",
    )
    shell = sub.add_parser(
        "shell",
        help="run a command as the app container would (php artisan …, df -h)",
        description="The stand-in for `docker exec facturino_app …`: php artisan migrate:status, "
        "queue:monitor, backup:list, queue:work --once, and df -h.",
    )
    shell.add_argument("--home", dest="home", help=home_help)
    shell.add_argument("argv", nargs=argparse.REMAINDER, help="the command (after --)")
    railway = sub.add_parser(
        "railway",
        help="answer as the Railway CLI would (variables --kv)",
        description="The stand-in for `railway variables --kv [--service facturino] "
        "[--environment production]`: the service's variables, without a process's own.",
    )
    railway.add_argument("--home", dest="home", help=home_help)
    railway.add_argument("argv", nargs=argparse.REMAINDER, help="the arguments (after --)")
    taken = sub.add_parser("backup", help="take a backup now (backup:run --only-db)")
    taken.add_argument("--home", dest="home", help=home_help)


def before(args: argparse.Namespace) -> None:
    if getattr(args, "with_bucket", False):
        os.environ[bucket.ASK_VAR] = "1"


def run(args: argparse.Namespace) -> int:
    home = resolve_home(args.home)
    layout = HomeLayout(home)
    if not layout.app_env.exists():
        print(f"facturino-reference: error: nothing running in {home}", file=sys.stderr)
        return 1
    if args.command in ("shell", "railway"):
        argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        return (shell_main if args.command == "shell" else railwaycli.main)(home, argv)
    try:
        take_backups(layout, {})
    except DeploymentError as exc:
        print(f"facturino-reference: error: {exc}", file=sys.stderr)
        return 1
    print(f"backup written under {layout.backups}")
    return 0
