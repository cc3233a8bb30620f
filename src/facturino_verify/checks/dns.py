"""The runbook's Domain Configuration: the app's A record and the `www` CNAME to it."""

from __future__ import annotations

from ..clients.dns import DnsAnswer
from . import remedies
from .base import fail


def _seen(answer: DnsAnswer) -> str:
    if answer.missing is not None:
        return f"{answer.missing.kind} from {answer.resolver}"
    return f"{answer.rtype} {', '.join(answer.values)} (from {answer.resolver})"


def expect_a_record(answer: DnsAnswer, addresses: tuple[str, ...] = ()) -> None:
    """The name has an A record; with `addresses`, every one of them is among its values."""
    __tracebackhide__ = True
    if not answer.values:
        fail(
            f"{answer.name} has an A record", "at least one address", _seen(answer), remedies.DNS_A
        )
    absent = [a for a in addresses if a not in answer.values]
    if absent:
        fail(
            f"the A record of {answer.name} points at the app's server",
            ", ".join(addresses),
            f"{_seen(answer)}; missing {', '.join(absent)}",
            remedies.DNS_A,
        )


def expect_cname(answer: DnsAnswer, target: str) -> None:
    """The name is a CNAME to `target` (compared without the trailing dot, case-insensitive)."""
    __tracebackhide__ = True
    wanted = target.rstrip(".").lower()
    if answer.values != (wanted,):
        fail(
            f"{answer.name} is a CNAME to {wanted}",
            f"CNAME {wanted}",
            _seen(answer),
            remedies.DNS_CNAME,
        )
