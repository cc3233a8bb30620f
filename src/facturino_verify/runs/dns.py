"""The smoke gate's DNS questions, asked as probes beside the HTTP ones (concurrently, once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..clients.dns import DnsAnswer, DnsClient
from ..config import Environment
from ..config.dns import a_record_name, dns_refusal, expected_cnames, resolver_address

A_PROBE = "dns.a"


def cname_probe(name: str) -> str:
    return f"dns.cname {name}"


def dns_client(env: Environment) -> DnsClient:
    """The configured resolver, or the runner's system resolver."""
    if env.dns.resolver is None:
        return DnsClient(None, 53, env.dns.timeout)
    address, port = resolver_address(env.dns.resolver)
    return DnsClient(address, port, env.dns.timeout)


def dns_probes(env: Environment) -> dict[str, Callable[[], Any]]:
    """The A record of the app's host and each expected CNAME; none where the environment
    cannot be asked (an address as the target, a special-use name and no resolver: the
    `dns` capability says why)."""
    host = env.target.host
    if dns_refusal(env.dns, host) is not None:
        return {}
    client = dns_client(env)
    probes: dict[str, Callable[[], Any]] = {
        A_PROBE: _lookup(client, a_record_name(env.dns, host), "A")
    }
    for name in expected_cnames(env.dns, host):
        probes[cname_probe(name)] = _lookup(client, name, "CNAME")
    return probes


def _lookup(client: DnsClient, name: str, rtype: str) -> Callable[[], DnsAnswer]:
    return lambda: client.lookup(name, rtype)
