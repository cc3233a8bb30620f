"""DNS and certificate issuer: the `[dns]` config, the checks, and the client against a private
authoritative server (dnslib, the reference deployment's own resolver class) on loopback."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from dnslib import RCODE, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer
from pydantic import ValidationError

from facturino_reference.dnsserver import ZoneResolver, zone_text
from facturino_verify.checks import CheckFailed, remedies, security
from facturino_verify.checks import dns as checks
from facturino_verify.clients.dns import DnsAnswer, DnsClient, NoRecord, NoSuchName
from facturino_verify.clients.errors import DnsFailure, TimedOut
from facturino_verify.clients.tls import CertificateInfo
from facturino_verify.config import Environment
from facturino_verify.config.dns import (
    Dns,
    a_record_name,
    dns_refusal,
    expected_cnames,
    resolver_address,
)
from facturino_verify.runs.dns import A_PROBE, cname_probe, dns_probes
from facturino_verify.runs.probes import _remedy as probe_remedy

ZONE = """
app.facturino.mk. 60 IN A 203.0.113.10
www.facturino.mk. 60 IN CNAME app.facturino.mk.
old.facturino.mk. 60 IN CNAME parked.example.net.
"""
QUIET = DNSLogger("-request,-reply,-truncated,-data", prefix=False)


@contextmanager
def dns_server(resolver: BaseResolver) -> Iterator[int]:
    """A private UDP server on 127.0.0.1 (an ephemeral port); its port."""
    server = DNSServer(resolver, port=0, address="127.0.0.1", logger=QUIET)
    server.start_thread()
    try:
        yield server.server.server_address[1]
    finally:
        server.stop()


class ServFail(BaseResolver):  # type: ignore[misc]
    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        reply.header.rcode = RCODE.SERVFAIL
        return reply


@pytest.fixture(scope="module")
def client() -> Iterator[DnsClient]:
    """A client of a private authoritative server holding ZONE."""
    with dns_server(ZoneResolver(ZONE)) as port:
        yield DnsClient("127.0.0.1", port, 2.0)


# --- the client ---------------------------------------------------------------------------


def test_client_reads_a_and_cname_records(client: DnsClient) -> None:
    a = client.lookup("app.facturino.mk", "A")
    cname = client.lookup("www.facturino.mk.", "CNAME")
    assert (a.values, a.missing) == (("203.0.113.10",), None)
    assert cname.values == ("app.facturino.mk",)
    assert a.resolver == f"127.0.0.1:{client.port}"


def test_client_gives_nxdomain_and_no_record_as_answers(client: DnsClient) -> None:
    absent = client.lookup("gone.facturino.mk", "A")
    no_a = client.lookup("www.facturino.mk", "A")
    assert absent.values == () and isinstance(absent.missing, NoSuchName)
    assert no_a.values == () and isinstance(no_a.missing, NoRecord)


def test_client_times_out_naming_the_resolver() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never read: the resolver that does not answer
        port = silent.getsockname()[1]
        with pytest.raises(TimedOut) as caught:
            DnsClient("127.0.0.1", port, 0.3).lookup("app.facturino.mk", "A")
    assert f"via 127.0.0.1:{port}" in str(caught.value)
    assert "no answer within 0.3 s" in str(caught.value)


def test_client_maps_servfail_to_a_dns_failure() -> None:
    with dns_server(ServFail()) as port, pytest.raises(DnsFailure) as caught:
        DnsClient("127.0.0.1", port, 2.0).lookup("app.facturino.mk", "A")
    assert not isinstance(caught.value, NoSuchName | NoRecord)
    assert "SERVFAIL" in str(caught.value)


def test_reference_zone_holds_the_runbook_records_and_its_faults() -> None:
    healthy = zone_text("localhost")
    assert "localhost. 60 IN A 127.0.0.1" in healthy
    assert "www.localhost. 60 IN CNAME localhost." in healthy
    assert "IN A" not in zone_text("localhost", {"dns_a_missing"})
    assert "CNAME parked.facturino.invalid." in zone_text("localhost", {"wrong_cname"})


# --- the checks ---------------------------------------------------------------------------


def answer(name: str, rtype: str, *values: str, missing: DnsFailure | None = None) -> DnsAnswer:
    return DnsAnswer(name, rtype, values, "127.0.0.1:53", missing)  # type: ignore[arg-type]


def test_a_record_check_passes_with_any_address_or_the_expected_ones() -> None:
    checks.expect_a_record(answer("app.facturino.mk", "A", "203.0.113.10"))
    checks.expect_a_record(answer("app.facturino.mk", "A", "203.0.113.10"), ("203.0.113.10",))


def test_a_record_check_fails_on_nxdomain_with_the_provider_remedy() -> None:
    gone = NoSuchName("DNS A app.facturino.mk", "the name does not exist")
    with pytest.raises(CheckFailed) as caught:
        checks.expect_a_record(answer("app.facturino.mk", "A", missing=gone))
    assert caught.value.seen == "no such name (NXDOMAIN) from 127.0.0.1:53"
    assert caught.value.remedy == remedies.DNS_A


def test_a_record_check_fails_when_an_expected_address_is_missing() -> None:
    with pytest.raises(CheckFailed, match=r"missing 198\.51\.100\.7"):
        checks.expect_a_record(answer("app.facturino.mk", "A", "203.0.113.10"), ("198.51.100.7",))


def test_cname_check_compares_without_trailing_dot_or_case() -> None:
    checks.expect_cname(
        answer("www.facturino.mk", "CNAME", "app.facturino.mk"), "App.Facturino.mk."
    )


@pytest.mark.parametrize(
    "seen",
    [
        answer("www.facturino.mk", "CNAME", "parked.example.net"),
        answer("www.facturino.mk", "CNAME", missing=NoRecord("DNS", "an A record instead")),
    ],
    ids=["elsewhere", "not_a_cname"],
)
def test_cname_check_fails_when_it_points_elsewhere_or_is_missing(seen: DnsAnswer) -> None:
    with pytest.raises(CheckFailed) as caught:
        checks.expect_cname(seen, "app.facturino.mk")
    assert caught.value.expected == "CNAME app.facturino.mk"
    assert caught.value.remedy == remedies.DNS_CNAME


def certificate(issuer: str, *organizations: str) -> CertificateInfo:
    later = datetime.now(UTC) + timedelta(days=60)
    return CertificateInfo("CN=app.facturino.mk", later, None, issuer, organizations)


def test_issuer_check_matches_the_issuers_organization() -> None:
    lets_encrypt = certificate("CN=R11,O=Let's Encrypt,C=US", "Let's Encrypt")
    security.expect_certificate_issuer(lets_encrypt, "Let's Encrypt")
    security.expect_certificate_issuer(certificate("CN=x", "Other"), "")  # "": any issuer
    with pytest.raises(CheckFailed) as caught:
        security.expect_certificate_issuer(
            certificate("CN=Z,O=ZeroSSL", "ZeroSSL"), "Let's Encrypt"
        )
    assert caught.value.seen == "issuer CN=Z,O=ZeroSSL"
    assert caught.value.remedy == remedies.TLS_ISSUER


# --- the configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1.1.1.1", ("1.1.1.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2606:4700:4700::1111]", ("2606:4700:4700::1111", 53)),
    ],
)
def test_resolver_address_parses_ip_and_port(text: str, parsed: tuple[str, int]) -> None:
    assert resolver_address(text) == parsed


@pytest.mark.parametrize("text", ["ns1.example.net", "1.1.1.1:0", "1.1.1.1:70000", "::1:53", ""])
def test_resolver_that_is_not_an_address_is_a_config_error(text: str) -> None:
    with pytest.raises(ValidationError):
        Dns(resolver=text)


def test_runbook_defaults_follow_the_app_host() -> None:
    dns = Dns()
    assert a_record_name(dns, "app.facturino.mk") == "app.facturino.mk"
    assert expected_cnames(dns, "app.facturino.mk") == {"www.facturino.mk": "app.facturino.mk"}
    # A staging host's zone has no runbook `www` (www.facturino.mk is production's).
    assert expected_cnames(dns, "staging.facturino.mk") == {}
    configured = Dns(cnames={"WWW.localhost.": "localhost."}, a_record="web.localhost")
    assert expected_cnames(configured, "x") == {"www.localhost": "localhost"}
    assert a_record_name(configured, "x") == "web.localhost"


def test_dns_checks_need_a_name_public_dns_answers_or_a_resolver() -> None:
    assert dns_refusal(Dns(), "app.facturino.mk") is None
    assert "an address" in (dns_refusal(Dns(), "127.0.0.1") or "")
    assert "special-use" in (dns_refusal(Dns(), "localhost") or "")
    assert dns_refusal(Dns(resolver="127.0.0.1:5353"), "localhost") is None


def test_addresses_must_be_ipv4() -> None:
    with pytest.raises(ValidationError, match="not an IPv4 address"):
        Dns(addresses=("app.facturino.mk",))


# --- the probes -----------------------------------------------------------------------------


def environment(dns: str) -> Environment:
    return Environment.model_validate(
        {"target": {"url": "https://localhost:8443"}, "dns": tomllib.loads(dns)}
    )


def test_probes_ask_the_configured_resolver_for_each_record() -> None:
    env = environment('resolver = "127.0.0.1:5353"\ncnames = { "www.localhost" = "localhost" }')
    probes = dns_probes(env)
    assert sorted(probes) == [A_PROBE, cname_probe("www.localhost")]
    assert dns_probes(environment("")) == {}  # localhost, no resolver: the capability says why


def test_a_resolver_that_does_not_answer_fails_the_probe_naming_it() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        env = environment(f'resolver = "127.0.0.1:{port}"\ntimeout = 0.3\ncnames = {{}}')
        with pytest.raises(TimedOut, match=f"DNS A localhost via 127.0.0.1:{port}"):
            dns_probes(env)[A_PROBE]()
    assert probe_remedy(A_PROBE) == remedies.DNS_RESOLVER
