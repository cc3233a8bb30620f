"""The deployment's DNS provider: an authoritative server on 127.0.0.1 (base+63, UDP and TCP)
serving the runbook's records for the deployment's host, read from `HOME/dns/zone.txt`.

`up` writes the zone (the records an operator would set at the DNS provider, with any DNS
fault's change); this server only answers from it: a name it does not hold is NXDOMAIN, a
type the name lacks is an empty NOERROR, as a real authoritative server answers.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from facturino_reference.paths import HomeLayout
from facturino_reference.state import State

TTL = 60
APP_ADDRESS = "127.0.0.1"  # where the reference's app listens
# Where the `wrong_cname` fault points www: a host of the past, not the app's.
STALE_CNAME_TARGET = "parked.facturino.invalid"


def zone_path(layout: HomeLayout) -> Path:
    return layout.root / "dns" / "zone.txt"


def zone_text(host: str, faults: set[str] | frozenset[str] = frozenset()) -> str:
    """The runbook's Domain Configuration for `host`: A `host` → the app, CNAME `www` →
    `host` (`www.localhost` for `localhost`). DNS faults change what the provider holds."""
    lines = [f"; the DNS provider's records for {host} (written by `facturino-reference up`)"]
    if "dns_a_missing" not in faults:
        lines.append(f"{host}. {TTL} IN A {APP_ADDRESS}")
    target = STALE_CNAME_TARGET if "wrong_cname" in faults else host
    lines.append(f"{www_of(host)}. {TTL} IN CNAME {target}.")
    return "\n".join(lines) + "\n"


def www_of(host: str) -> str:
    """`app.facturino.mk` → `www.facturino.mk`; `localhost` → `www.localhost`."""
    domain = host.removeprefix("app.") if host.count(".") >= 2 else host
    return f"www.{domain}"


def write_zone(layout: HomeLayout, host: str, faults: set[str] | frozenset[str]) -> None:
    path = zone_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(zone_text(host, faults), encoding="utf-8")


class ZoneResolver(BaseResolver):  # type: ignore[misc]  # dnslib ships no type hints
    """Answers from the zone's records only (authoritative: AA set; no recursion)."""

    def __init__(self, zone: str) -> None:
        self.records = RR.fromZone(zone)

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        reply.header.aa = 1
        reply.header.ra = 0
        qname, qtype = request.q.qname, QTYPE[request.q.qtype]
        named = [rr for rr in self.records if rr.rname == qname]
        if not named:
            reply.header.rcode = RCODE.NXDOMAIN
        for rr in named:
            if qtype in (QTYPE[rr.rtype], "ANY"):
                reply.add_answer(rr)
        return reply


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="facturino_reference.dnsserver")
    parser.add_argument("--home", required=True, type=Path)
    args = parser.parse_args(argv)
    layout = HomeLayout(args.home)
    state = State.load(layout.state_file)
    if state is None:
        raise SystemExit(f"no state.json in {args.home}")
    port = state.ports["dns"]
    resolver = ZoneResolver(zone_path(layout).read_text(encoding="utf-8"))
    quiet = DNSLogger("-request,-reply,-truncated,-data", prefix=False)
    servers = [
        DNSServer(resolver, port=port, address="127.0.0.1", tcp=tcp, logger=quiet)
        for tcp in (False, True)
    ]
    stopped = threading.Event()

    def stop(_sig: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for server in servers:
        server.start_thread()
    print(f"authoritative DNS on 127.0.0.1:{port} (UDP, TCP) from {zone_path(layout)}", flush=True)
    stopped.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
