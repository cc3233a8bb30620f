"""Which DNS checks the smoke suite holds for an environment: the `dns` capability needs a name
public DNS answers, or a resolver that knows it; otherwise the checks are deselected with the
reason. Real ``pytest --collect-only`` processes from the project root."""

from __future__ import annotations

from pathlib import Path

from .test_suite_selection import collected

A_CHECK = "test_dns_app_host_has_a_record"


def test_an_address_as_the_target_keeps_the_dns_checks_out_with_the_reason(
    tmp_path: Path,
) -> None:
    ids, output = collected(tmp_path, "", "tests_smoke")
    assert not {i for i in ids if i.startswith("test_dns_")}
    assert "[target] url names an address (127.0.0.1), not a DNS name ([dns] a_record)" in output
    assert "test_certificate_is_issued_by_expected_ca" in ids


def test_a_named_a_record_brings_the_runbook_www_cname_with_it(tmp_path: Path) -> None:
    ids, _ = collected(tmp_path, '[dns]\na_record = "app.facturino.mk"\n', "tests_smoke")
    assert {A_CHECK, "test_dns_cname_points_at_the_app[www.facturino.mk]"} <= ids


def test_a_special_use_name_needs_a_resolver(tmp_path: Path) -> None:
    extra = '[dns]\na_record = "localhost"\n'
    ids, output = collected(tmp_path, extra, "tests_smoke")
    assert A_CHECK not in ids
    assert "localhost is a special-use name public DNS never answers" in output
    with_resolver = (
        extra + 'resolver = "127.0.0.1:5353"\ncnames = { "www.localhost" = "localhost" }\n'
    )
    ids, _ = collected(tmp_path, with_resolver, "tests_smoke")
    assert {A_CHECK, "test_dns_cname_points_at_the_app[www.localhost]"} <= ids
