"""`[dns]`: the app's DNS records as the runbook sets them, asked of a chosen resolver."""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, field_validator

from .section import Section

# RFC 6761/6762 names that public DNS never answers: with no [dns] resolver there is nothing
# to ask about them (a reference deployment on localhost, a *.test staging name).
SPECIAL_USE_SUFFIXES = ("localhost", "test", "example", "invalid", "local", "internal")
_RESOLVER = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<v4>[0-9.]+))(?::(?P<port>\d{1,5}))?$")


class Dns(Section):
    """The runbook's Domain Configuration: an A record for the app's host, a CNAME `www` to
    it. Asked with dnspython of `resolver` (not the runner's own cache or /etc/hosts)."""

    resolver: str | None = None
    """The DNS server to ask, `address[:port]` (IPv6 as `[::1]:53`); unset: the runner's
    system resolver (/etc/resolv.conf)."""
    timeout: float = Field(3.0, gt=0)
    """Seconds for one lookup's answer (a resolver that does not answer fails the check)."""
    a_record: str | None = None
    """The name that must have an A record; unset: the host of `[target] url`."""
    addresses: tuple[str, ...] = ()
    """IPv4 addresses the A record must include (each of them); empty: any address."""
    cnames: dict[str, str] | None = None
    """CNAME name → target it must point at; unset: the runbook's `www.<domain>` → the app's
    host where that is `app.<domain>` (`www.facturino.mk` → `app.facturino.mk`), else none."""

    @field_validator("resolver")
    @classmethod
    def _resolver(cls, value: str | None) -> str | None:
        if value is not None:
            resolver_address(value)
        return value

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                message = f"{address!r} is not an IPv4 address (an A record's value)"
                raise ValueError(message) from None
        return value


def resolver_address(value: str) -> tuple[str, int]:
    """`"1.1.1.1"` → ("1.1.1.1", 53); `"[::1]:5353"` → ("::1", 5353). A host name is refused:
    the resolver is what turns names into addresses, so it must be given as one."""
    match = _RESOLVER.match(value.strip())
    host = match and (match["v6"] or match["v4"])
    port = int(match["port"]) if match and match["port"] else 53
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        raise ValueError(
            f"{value!r} is not a resolver address: write an IP address with an optional port, "
            'e.g. "1.1.1.1", "127.0.0.1:5353" or "[2606:4700:4700::1111]:53"'
        ) from None
    if not 0 < port < 65536:
        raise ValueError(f"{value!r}: port {port} is out of range (1-65535)")
    return str(host), port


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_special_use(name: str) -> bool:
    """A name public DNS never answers (RFC 6761): only a configured resolver knows it."""
    last = name.rstrip(".").rsplit(".", 1)[-1].lower()
    return last in SPECIAL_USE_SUFFIXES


def www_name(app_host: str) -> str | None:
    """The runbook's `www` beside the app's `app` record, in the same zone:
    `app.facturino.mk` → `www.facturino.mk`; no default for another host (a staging host's
    zone has no runbook `www`)."""
    if not app_host.startswith("app.") or app_host.count(".") < 2:
        return None
    return "www." + app_host.removeprefix("app.")


def a_record_name(dns: Dns, app_host: str) -> str:
    """The name whose A record is checked: `a_record`, else the app URL's host."""
    return (dns.a_record or app_host).rstrip(".").lower()


def expected_cnames(dns: Dns, app_host: str) -> dict[str, str]:
    """CNAME name → target: as configured, else the runbook's `www` → the app's host (the
    A record's name)."""
    if dns.cnames is not None:
        return {k.rstrip(".").lower(): v.rstrip(".").lower() for k, v in dns.cnames.items()}
    host = a_record_name(dns, app_host)
    www = www_name(host)
    return {} if www is None else {www: host}


def dns_refusal(dns: Dns, app_host: str) -> str | None:
    """Why the DNS checks cannot be asked for this environment, or None when they can."""
    name = a_record_name(dns, app_host)
    if dns.a_record is None and is_address(app_host):
        return f"[target] url names an address ({app_host}), not a DNS name ([dns] a_record)"
    if dns.resolver is None and is_special_use(name):
        return (
            f"{name} is a special-use name public DNS never answers: set [dns] resolver to the "
            "server that serves it"
        )
    return None
