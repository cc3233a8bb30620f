"""`facturino-reference`: start, stop and inspect the reference deployment."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from facturino_reference import opscli
from facturino_reference.deployment import DEFAULT_PORT_BASE, QUEUE_CONNECTIONS, Deployment
from facturino_reference.errors import DeploymentError
from facturino_reference.faults import FAULTS
from facturino_reference.paths import DEFAULT_HOME, HOME_ENV_VAR, resolve_home
from facturino_reference.profiles import DEFAULT_PROFILE, PROFILES, describe_profiles
from facturino_reference.state import DB_ENGINES

_HOME_HELP = f"deployment directory (default: ${HOME_ENV_VAR} or {DEFAULT_HOME})"
_UP_HELP = (
    "Start PostgreSQL, Redis, the HTTPS/HTTP web server and the queue worker in the "
    "background, and return once they are ready. A deployment already running in the same "
    "home is stopped and replaced first. Ports: base+443 HTTPS, base+80 HTTP, base+432 "
    "PostgreSQL, base+379 Redis, base+63 its DNS server, all on 127.0.0.1."
)


def describe_faults() -> str:
    """The text of `facturino-reference faults`."""
    width = max(len(fault.name) for fault in FAULTS)
    lines = [
        "Faults for `up --fault NAME[=VALUE]`. `trips`: the smoke tests each one fails",
        "(patterns of test ids; `*` is the only wildcard).",
        "",
    ]
    for fault in FAULTS:
        lines.append(f"{fault.name:<{width}}  {fault.description}")
        lines.append(f"{'':<{width}}  trips: {', '.join(fault.trips)}")
    return "\n".join(lines)


def faults_as_json() -> list[dict[str, object]]:
    """`facturino-reference faults --json`: for fault-matrix tooling."""
    return [
        {"name": f.name, "description": f.description, "trips": list(f.trips), "env": dict(f.env)}
        for f in FAULTS
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facturino-reference",
        description="A small, honest Facturino for the verification suite to run against.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="start a deployment", description=_UP_HELP)
    up.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        dest="faults",
        help="inject a fault (repeatable; see `faults`)",
    )
    up.add_argument("--home", dest="home", help=_HOME_HELP)
    up.add_argument(
        "--users",
        dest="users",
        type=float,
        default=0.0,
        metavar="RATE",
        help="simulated users making RATE read-only requests/s (default: none; "
        "error_burst starts them at 10/s)",
    )
    up.add_argument(
        "--port-base",
        dest="port_base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help=f"port base (default {DEFAULT_PORT_BASE}: 18443/18080/18432/18379)",
    )
    up.add_argument(
        "--queue-connection",
        dest="queue_connection",
        choices=QUEUE_CONNECTIONS,
        default="database",
        help="where the app dispatches jobs (QUEUE_CONNECTION; default database, the image's "
        "baked value; the runbook sets redis)",
    )
    up.add_argument(
        "--profile",
        dest="profile",
        choices=tuple(PROFILES),
        default=DEFAULT_PROFILE,
        help="which Facturino: upstream (the real app at d5d901d7, its known defects "
        "included) or default (the same app with them fixed); see `profiles`",
    )
    up.add_argument(
        "--db",
        dest="db",
        choices=DB_ENGINES,
        default=None,
        help="the database engine: postgresql (PostgreSQL 15) or mysql (a private MariaDB "
        "server, as production runs MySQL); default: the profile's (upstream: mysql, "
        "default: postgresql)",
    )
    down = sub.add_parser("down", help="stop a deployment and delete its home (idempotent)")
    down.add_argument("--home", dest="home", help=_HOME_HELP)
    faults = sub.add_parser("faults", help="list the faults and the smoke checks each trips")
    faults.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    sub.add_parser("profiles", help="list the profiles and the real app's defects each has")
    status = sub.add_parser("status", help="show what runs")
    status.add_argument("--home", dest="home", help=_HOME_HELP)
    status.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    opscli.add_commands(sub, up, _HOME_HELP)
    return parser


def _up(args: argparse.Namespace) -> None:
    started = time.monotonic()
    deployment = Deployment(
        args.home,
        args.port_base,
        args.faults,
        users=args.users,
        queue_connection=args.queue_connection,
        profile=args.profile,
        db=args.db,
    )
    state = deployment.up()
    faults = ", ".join(k if v is None else f"{k}={v}" for k, v in state.faults.items())
    print(f"Facturino reference deployment ready in {time.monotonic() - started:.1f}s")
    print(f"  url:      {deployment.url}")
    print(f"  home:     {deployment.home}")
    print(f"  env file: {deployment.env_file}")
    print(f"  faults:   {faults or 'none'}")
    print(f"  queue:    {args.queue_connection}")
    print(f"  profile:  {state.profile}")
    print(f"  database: {state.db}")


def _down(args: argparse.Namespace) -> None:
    home = resolve_home(args.home)
    stopped = Deployment(home).down()
    print(f"stopped and removed {home}" if stopped else f"nothing running in {home}")


def _status(args: argparse.Namespace) -> None:
    info = Deployment(resolve_home(args.home)).status()
    if args.as_json:
        print(json.dumps(info, indent=2))
        return
    if not info.get("running"):
        print(f"nothing running in {info['home']}")
        return
    print(f"{info['url']}  home {info['home']}  ready={info['ready']}")
    print(
        f"profile: {info.get('profile', 'default')}  faults: {info['faults'] or 'none'}  "
        f"web mode: {info['web_mode']}"
    )
    processes = info.get("processes")
    if isinstance(processes, dict):
        for name, detail in processes.items():
            print(f"  {name:<9} {detail}")


def _faults(args: argparse.Namespace) -> None:
    print(json.dumps(faults_as_json(), indent=2) if args.as_json else describe_faults())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in opscli.COMMANDS:
        return opscli.run(args)
    opscli.before(args)
    commands: dict[str, Callable[[argparse.Namespace], None]] = {
        "up": _up,
        "down": _down,
        "status": _status,
        "faults": _faults,
        "profiles": lambda _: print(describe_profiles()),
    }
    try:
        commands[args.command](args)
    except DeploymentError as exc:
        print(f"facturino-reference: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
