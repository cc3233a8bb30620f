"""DNS lookups with dnspython, asked of one resolver; its errors mapped at the boundary.

A definite answer that the record is not there (NXDOMAIN, no record of that type) is data for
the checks to judge (`NoSuchName`, `NoRecord`); a resolver that does not answer, refuses or
fails (SERVFAIL) is a `TargetError` naming the resolver: the deployment's DNS may be down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import DnsFailure, NotJudged, TimedOut

if TYPE_CHECKING:  # imported where a lookup runs: start-up does not wait for dnspython
    import dns.resolver


class NoSuchName(DnsFailure):
    """The resolver answered NXDOMAIN: the name does not exist."""

    kind = "no such name (NXDOMAIN)"


class NoRecord(DnsFailure):
    """The name exists but has no record of the asked type."""

    kind = "no record of that type"


class NoResolver(NotJudged):
    """The runner cannot ask at all (no /etc/resolv.conf and no [dns] resolver): the
    runner's own set-up, so the check is not judged."""


@dataclass(frozen=True)
class DnsAnswer:
    """What the resolver said about one name: the values of one record type (addresses for
    A; the target for CNAME, without the trailing dot) or, where there is none, why."""

    name: str
    rtype: str
    values: tuple[str, ...]
    resolver: str
    missing: NoSuchName | NoRecord | None = None


class DnsClient:
    """One resolver (`address`, `port`), or the runner's system resolver when `address` is
    None; every lookup bounded by `timeout` seconds in all (dnspython's `lifetime`)."""

    def __init__(self, address: str | None, port: int, timeout: float) -> None:
        self.address, self.port, self.timeout = address, port, timeout

    @property
    def resolver_name(self) -> str:
        return f"{self.address}:{self.port}" if self.address else "the system resolver"

    def lookup(self, name: str, rtype: str) -> DnsAnswer:
        """The `rtype` records of `name` (asked as an absolute name, no search list)."""
        import dns.exception
        import dns.resolver

        what = f"DNS {rtype} {name} via {self.resolver_name}"
        try:
            answer = self._resolver(what).resolve(name.rstrip(".") + ".", rtype, search=False)
        except dns.resolver.NXDOMAIN:
            return self._missing(name, rtype, NoSuchName(what, "the name does not exist"))
        except dns.resolver.NoAnswer:
            return self._missing(name, rtype, NoRecord(what, f"{name} has no {rtype} record"))
        except dns.resolver.LifetimeTimeout:
            raise TimedOut(what, f"no answer within {self.timeout:g} s") from None
        except dns.resolver.NoNameservers as error:
            # SERVFAIL or REFUSED: it answered, but not with the records.
            raise DnsFailure(what, f"the resolver gave no usable answer ({error})") from None
        except dns.exception.DNSException as error:
            raise DnsFailure(what, str(error) or type(error).__name__) from None
        values = tuple(rdata.to_text().rstrip(".").lower() for rdata in answer)
        return DnsAnswer(name, rtype, values, self.resolver_name)

    def _resolver(self, what: str) -> dns.resolver.Resolver:
        import dns.resolver

        if self.address is None:
            try:
                resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration as error:
                detail = f"this runner has no resolver configured ({error})"
                raise NoResolver(what, detail, "set [dns] resolver") from None
        else:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [self.address]
            resolver.port = self.port
        resolver.lifetime = resolver.timeout = self.timeout
        resolver.cache = None
        return resolver

    def _missing(self, name: str, rtype: str, why: NoSuchName | NoRecord) -> DnsAnswer:
        return DnsAnswer(name, rtype, (), self.resolver_name, why)
