"""The reference deployment's feature surface (issue 3), driven the way the SPA drives it.

A healthy deployment serves the invoice round trip (PDF, UBL, signed UBL), the bank sync through
the worker and the PSD2 simulator, the webhooks, the checkout and the partner dashboard; three
more deployments prove the feature faults do what faults/ says. Port bases 19000-20999 (four
bases, 500 apart; a lock file serialises the choice between xdist workers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import psycopg
import pytest
from cryptography import x509
from lxml import etree
from pypdf import PdfReader
from signxml import InvalidDigest, InvalidInput, XMLVerifier

from facturino_reference import Deployment, DeploymentError, free_port_base
from facturino_reference.hashid import invoice_hash
from facturino_reference.passwords import hash_password
from facturino_reference.seed import SCHEDULED_IMPORTS
from facturino_reference.state import State
from facturino_verify.config.features import default_schema_dir

from .reference_runs import started

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(os.environ.get("FACTURINO_UBL_SCHEMA_DIR", default_schema_dir()))
ADMIN = {"email": "admin@facturino.test", "password": "reference-admin-secret"}
PARTNER = {"email": "partner@facturino.test", "password": "reference-partner-secret"}
DS = "{http://www.w3.org/2000/09/xmldsig#}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
DEADLINE = 15.0


def _free_base(wait: float = 120.0) -> int:
    """A free base of 19000-20999; another run's deployments may hold them all for a while."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return free_port_base(19000, 21000, 500)
        except DeploymentError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def deployment(*faults: str, profile: str = "default") -> AbstractContextManager[Deployment]:
    """A private deployment on a free base of this module's range, always torn down. On
    PostgreSQL whatever the profile: this module's helpers read the database with psycopg."""
    return started(
        _free_base,
        faults,
        lock="reference-features-ports",
        prefix="fr-feat-",
        profile=profile,
        db="postgresql",
    )


class Spa:
    """A first-party SPA client: cookie jar, stateful Referer, X-XSRF-TOKEN, `company` header."""

    def __init__(self, dep: Deployment) -> None:
        self.dep = dep
        self.http = httpx.Client(
            base_url=dep.url,
            verify=trust(dep.ca_file),
            timeout=10.0,
            headers={"Accept": "application/json", "Referer": dep.url + "/"},
        )

    def headers(self, company: bool = True) -> dict[str, str]:
        token = unquote(self.http.cookies.get("XSRF-TOKEN", ""))
        return {"X-XSRF-TOKEN": token, **({"company": "1"} if company else {})}

    def login(self, account: dict[str, str]) -> httpx.Response:
        self.http.get("/sanctum/csrf-cookie")
        return self.http.post("/api/v1/auth/login", json=account, headers=self.headers(False))

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers())

    def post(self, path: str, body: Any = None, company: bool = True) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers(company))


def trust(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def db(dep: Deployment) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1",
        port=dep.ports["postgres"],
        dbname="facturino",
        user="facturino",
        password="reference-db-secret",
        autocommit=True,
    )


def scalar(dep: Deployment, query: str, params: tuple[Any, ...] = ()) -> Any:
    with db(dep) as conn:
        row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def poll(probe: Callable[[], Any], done: Callable[[Any], bool], seconds: float = DEADLINE) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        seen = probe()
        if done(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


def make_invoice(spa: Spa, tag: str, total: int = 123_45) -> dict[str, Any]:
    """A tagged customer, item and DRAFT invoice, as the suite's flow creates them."""
    customer = spa.post(
        "/api/v1/customers",
        {
            "name": f"Customer {tag}",
            "email": f"{tag}@t.invalid",
            "currency_id": 1,
            "allow_duplicate": True,
        },
    )
    item = spa.post(
        "/api/v1/items", {"name": f"Item {tag}", "price": total, "allow_duplicate": True}
    )
    number = spa.get("/api/v1/next-number?key=invoice").json()["nextNumber"]
    today = dt.date.today().isoformat()
    line = {
        "item_id": item.json()["data"]["id"],
        "name": f"Item {tag}",
        "quantity": 1,
        "price": total,
        "discount_val": 0,
        "tax": 0,
        "total": total,
    }
    body = {
        "invoice_date": today,
        "due_date": today,
        "customer_id": customer.json()["data"]["id"],
        "invoice_number": number,
        "discount": 0,
        "discount_val": 0,
        "sub_total": total,
        "total": total,
        "tax": 0,
        "template_name": "invoice1",
        "notes": tag,
        "allow_duplicate": True,
        "items": [line],
    }
    invoice = spa.post("/api/v1/invoices", body)
    assert invoice.status_code == 200, invoice.text
    return {
        "body": body,
        "customer": customer.json()["data"],
        "item": item.json()["data"],
        **invoice.json()["data"],
    }


def remove(spa: Spa, made: dict[str, Any]) -> None:
    for kind, ident in (
        ("invoices", made["id"]),
        ("items", made["item"]["id"]),
        ("customers", made["customer"]["id"]),
    ):
        answer = spa.post(f"/api/v1/{kind}/delete", {"ids": [ident]})
        assert answer.json() == {"success": True}, answer.text


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "maindoc" / "UBL-Invoice-2.1.xsd")))


def xmlsec_verify(document: bytes, ca: Path) -> int:
    with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
        handle.write(document)
        handle.flush()
        done = subprocess.run(
            ["xmlsec1", "--verify", "--trusted-pem", str(ca), handle.name],
            capture_output=True,
            check=False,
        )
    return done.returncode


def filename(response: httpx.Response) -> str:
    found = re.search(r'filename="([^"]+)"', response.headers.get("content-disposition", ""))
    return found.group(1) if found else ""


def signature_algorithms(document: bytes) -> dict[str, str]:
    root = etree.fromstring(document)
    signature = root[-1]
    assert signature.tag == f"{DS}Signature", "ds:Signature is the last child of Invoice"
    return {
        "c14n": signature.find(f"{DS}SignedInfo/{DS}CanonicalizationMethod").get("Algorithm"),
        "signature": signature.find(f"{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm"),
        "digest": signature.find(f".//{DS}DigestMethod").get("Algorithm"),
        "uri": signature.find(f".//{DS}Reference").get("URI"),
        "transforms": " ".join(t.get("Algorithm") for t in signature.iter(f"{DS}Transform")),
    }


def signer_certificate(document: bytes) -> x509.Certificate:
    text = etree.fromstring(document).find(f".//{DS}X509Certificate").text
    return x509.load_der_x509_certificate(__import__("base64").b64decode(text))


def stripe_header(secret: str, body: bytes) -> str:
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


@pytest.fixture(scope="module")
def healthy() -> Iterator[Deployment]:
    with deployment() as dep:
        yield dep


@pytest.fixture(scope="module")
def admin(healthy: Deployment) -> Iterator[Spa]:
    spa = Spa(healthy)
    assert spa.login(ADMIN).status_code == 200
    yield spa
    spa.http.close()


def test_invoice_round_trip_pdf_dashboard_and_cleanup(healthy: Deployment, admin: Spa) -> None:
    tag = "t" + uuid.uuid4().hex[:10]
    made = make_invoice(admin, tag)
    assert made["status"] == "DRAFT" and made["paid_status"] == "UNPAID"
    assert made["total"] == made["due_amount"] == 12345 and made["currency"]["code"] == "MKD"
    state = State.load(healthy.layout.state_file)
    assert state is not None
    assert made["unique_hash"] == invoice_hash(state.app_key, made["id"])
    assert made["invoice_pdf_url"] == f"{healthy.url}/invoices/pdf/{made['unique_hash']}"
    assert admin.get(f"/api/v1/invoices/{made['id']}").json()["data"]["id"] == made["id"]
    again = admin.post(
        "/api/v1/invoices", {**made["body"], "invoice_number": tag, "allow_duplicate": False}
    )
    assert again.status_code == 200 and again.json()["is_duplicate_warning"] is True
    missing = admin.post("/api/v1/invoices", {"items": []})
    assert missing.status_code == 422 and "invoice_number" in missing.json()["errors"]
    headerless = admin.http.post(
        "/api/v1/invoices", json=made["body"], headers=admin.headers(company=False)
    )
    assert headerless.status_code == 400
    pdf = httpx.get(made["invoice_pdf_url"], verify=trust(healthy.ca_file))  # no cookies
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert filename(pdf) == f"{made['invoice_number']}.pdf" and pdf.content[:5] == b"%PDF-"
    text = pdf_text(pdf.content)
    assert made["invoice_number"] in text and f"Customer {tag}" in text and "123.45" in text
    # The list the SPA draws /admin/invoices from: newest first as it asks, paginated.
    listed = admin.get("/api/v1/invoices?orderByField=created_at&orderBy=desc&page=1").json()
    assert listed["data"][0]["invoice_number"] == made["invoice_number"]
    assert listed["meta"]["total"] == listed["meta"]["invoice_total_count"] >= 1
    assert listed["meta"]["current_page"] == 1 and listed["meta"]["last_page"] >= 1
    html = admin.http.get("/admin/invoices").text  # the shell: the SPA draws the list
    assert "window.Facturino.start()" in html and made["invoice_number"] not in html
    blocked = admin.post("/api/v1/items/delete", {"ids": [made["item"]["id"]]})
    assert blocked.status_code == 422
    remove(admin, made)
    assert admin.get(f"/api/v1/invoices/{made['id']}").status_code == 404
    assert httpx.get(made["invoice_pdf_url"], verify=trust(healthy.ca_file)).status_code == 404
    with db(healthy) as conn:
        for table, column in (("customers", "name"), ("items", "name"), ("invoices", "notes")):
            left = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} LIKE %s", (f"%{tag}%",)
            ).fetchone()
            assert left == (0,), table
        assert conn.execute("SELECT count(*) FROM media").fetchone() == (0,)
    assert not any(healthy.layout.media.iterdir())


def test_ubl_export_validates_and_signed_export_verifies(healthy: Deployment, admin: Spa) -> None:
    made = make_invoice(admin, "x" + uuid.uuid4().hex[:10], total=1_180_00)
    try:
        plain = admin.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl"})
        signed = admin.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
        invalid = admin.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "pdf"})
    finally:
        remove(admin, made)
    assert plain.headers["content-type"] == "application/xml" and invalid.status_code == 422
    assert filename(plain) == f"invoice-{made['invoice_number']}-ubl.xml"
    document = etree.fromstring(plain.content)
    assert schema().validate(document), schema().error_log
    assert document.findtext(f"{CBC}ID") == made["invoice_number"]
    assert document.findtext(f"{CBC}InvoiceTypeCode") == "380"
    assert document.findtext(f".//{CBC}PayableAmount") == "1180.00"
    assert filename(signed) == f"invoice-{made['invoice_number']}-ubl-signed.xml"
    verified = XMLVerifier().verify(signed.content, ca_pem_file=str(healthy.ca_file))
    assert verified.signed_xml is not None
    assert xmlsec_verify(signed.content, healthy.ca_file) == 0
    assert signature_algorithms(signed.content) == {
        "c14n": "http://www.w3.org/2001/10/xml-exc-c14n#",
        "signature": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digest": "http://www.w3.org/2001/04/xmlenc#sha256",
        "uri": "",
        "transforms": "http://www.w3.org/2000/09/xmldsig#enveloped-signature "
        "http://www.w3.org/2001/10/xml-exc-c14n#",
    }
    cert = signer_certificate(signed.content)
    assert cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=300)


def test_bank_sync_runs_on_the_worker_against_the_psd2_simulator(
    healthy: Deployment, admin: Spa
) -> None:
    status = admin.get("/api/v1/banking/status").json()["data"]
    assert status["bankConnections"][0]["code"] == "nlb"
    account = admin.get("/api/v1/banking/accounts").json()["data"][0]
    # As at d5d901d7: last_sync_at is the account's updated_at (40 days old), not a sync time;
    # the last scheduled sync (2 h ago) shows only as the psd2 rows it imported.
    shown = dt.datetime.fromisoformat(account["last_sync_at"])
    assert dt.datetime.now(dt.UTC) - shown > dt.timedelta(days=39)
    assert status["lastFullSync"] == account["last_sync_at"]
    newest = "SELECT max(created_at) FROM bank_transactions WHERE source = 'psd2'"
    imported = scalar(healthy, newest)
    assert dt.datetime.now(dt.UTC).replace(tzinfo=None) - imported < dt.timedelta(hours=3)
    before = scalar(healthy, "SELECT count(*) FROM bank_transactions WHERE source = 'psd2'")
    answer = admin.post(f"/api/v1/banking/sync/{account['id']}")
    assert answer.json() == {"message": "Sync started successfully", "account_id": account["id"]}
    left = poll(lambda: scalar(healthy, "SELECT count(*) FROM jobs"), lambda n: n == 0)
    after = scalar(healthy, "SELECT count(*) FROM bank_transactions WHERE source = 'psd2'")
    assert left == 0 and after == before + 1, "the history was imported before: only today's"
    assert scalar(healthy, newest) > imported
    again = admin.get("/api/v1/banking/accounts").json()["data"][0]
    assert again["last_sync_at"] == account["last_sync_at"], "the sync writes no account row"
    assert scalar(healthy, "SELECT count(*) FROM failed_jobs") == 0
    second = admin.post(f"/api/v1/banking/sync/{account['id']}")
    assert second.status_code == 200
    poll(lambda: scalar(healthy, "SELECT count(*) FROM jobs"), lambda n: n == 0)
    assert scalar(healthy, "SELECT count(*) FROM bank_transactions WHERE source = 'psd2'") == (
        after + 1
    ), "a second sync imports only the newly booked transaction (idempotent history)"


def test_webhooks_reject_unsigned_payloads_without_side_effects(healthy: Deployment) -> None:
    count = "SELECT count(*) FROM gateway_webhook_events"
    stored = scalar(healthy, count)
    with httpx.Client(base_url=healthy.url, verify=trust(healthy.ca_file)) as http:
        paddle = http.post("/webhooks/paddle", json={})
        cpay = http.post("/webhooks/cpay", json={})
        stripe = http.post("/webhooks/stripe", json={}, headers={"Stripe-Signature": "t=1,v1=0"})
        assert scalar(healthy, count) == stored
        secret = healthy_env(healthy)["STRIPE_WEBHOOK_SECRET"]
        body = json.dumps({"id": "evt_test", "type": "invoice.paid"}).encode()
        signed = http.post(
            "/webhooks/stripe",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": stripe_header(secret, body),
            },
        )
    assert (paddle.status_code, paddle.json()) == (400, {"error": "Missing company_id"})
    assert (cpay.status_code, cpay.json()) == (401, {"error": "Invalid signature"})
    assert (stripe.status_code, stripe.json()) == (400, {"error": "Invalid signature"})
    assert (signed.status_code, signed.json()) == (200, {"status": "received"})
    with db(healthy) as conn:
        conn.execute("DELETE FROM gateway_webhook_events WHERE event_id = 'evt_test'")


def healthy_env(dep: Deployment) -> dict[str, str]:
    from facturino_reference.appenv import read_env_file

    return read_env_file(dep.layout.app_env)


def test_subscription_and_sandbox_checkout(healthy: Deployment, admin: Spa) -> None:
    plan = admin.get("/api/v1/companies/1/subscription").json()
    assert plan["current_plan"]["tier"] == "business" and len(plan["tiers"]) == 4
    made = admin.post(
        "/api/v1/companies/1/subscription/checkout",
        {"tier": "business", "interval": "monthly", "payment_currency": "mkd"},
    )
    assert made.status_code == 200, made.text
    page = httpx.get(made.json()["checkout_url"], verify=trust(healthy.ca_file))
    assert page.status_code == 200
    assert f'data-session-id="{made.json()["session_id"]}"' in page.text


def test_partner_api_reconciles_with_the_ledger_and_serves_what_the_spa_reads(
    healthy: Deployment, admin: Spa
) -> None:
    partner = Spa(healthy)
    assert partner.login(PARTNER).json()["user"]["role"] == "partner"
    data = partner.get("/api/v1/partner/dashboard").json()
    commissions = partner.get("/api/v1/partner/commissions").json()["data"]
    page = partner.http.get("/admin/partner/dashboard").text
    me = partner.get("/api/v1/me").json()["data"]
    stripe = partner.get("/api/v1/partner/stripe-connect/status").json()
    with db(healthy) as conn:
        total, pending = conn.execute(
            "SELECT sum(amount), sum(amount) FILTER (WHERE paid_at IS NULL) FROM "
            "affiliate_events WHERE affiliate_partner_id = 1 AND NOT is_clawed_back"
        ).fetchone()
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM affiliate_events WHERE affiliate_partner_id = 1 "
                "ORDER BY created_at DESC, id DESC LIMIT 10"
            ).fetchall()
        ]
    assert data["data"]["total_earnings"] == float(total)
    assert data["data"]["pending_payout"] == float(pending)
    assert [c["id"] for c in commissions] == ids and len(data["earningsHistory"]) == 12
    # The default profile's commissions carry what DashboardTable.vue reads (type, status).
    assert {(c["type"], c["status"]) for c in commissions} <= {
        (c["event_type"], "paid" if c["paid_at"] else "pending") for c in commissions
    }
    assert me["email"] == PARTNER["email"] and me["onboarding_completed_at"] is not None
    assert stripe == {"connected": False, "status": None}
    assert "window.Facturino.start()" in page and "data-widget" not in page  # no server render
    assert admin.get("/api/v1/me").json()["data"]["role"] == "admin"
    forbidden = admin.get("/api/v1/partner/dashboard")
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "User is not registered as a partner"}


def test_signature_pdf_bank_webhook_and_partner_faults(tmp_path: Path) -> None:
    faults = (
        "xml_weak_algorithm",
        "signer_cert_expiring",
        "pdf_broken",
        "bank_sync_fails",
        "webhook_accepts_unsigned",
        "partner_forbidden",
    )
    ca = tmp_path / "ca.pem"  # outlives the deployment's home
    with deployment(*faults) as dep:
        ca.write_bytes(dep.ca_file.read_bytes())
        spa = Spa(dep)
        assert spa.login(ADMIN).status_code == 200
        made = make_invoice(spa, "f" + uuid.uuid4().hex[:10])
        pdf = httpx.get(made["invoice_pdf_url"], verify=trust(dep.ca_file))
        signed = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
        sync = spa.post("/api/v1/banking/sync/1")
        failed = poll(lambda: scalar(dep, "SELECT count(*) FROM failed_jobs"), lambda n: n > 0)
        with httpx.Client(base_url=dep.url, verify=trust(dep.ca_file)) as http:
            cpay = http.post("/webhooks/cpay", json={})
            stripe = http.post("/webhooks/stripe", json={}, headers={"Stripe-Signature": "x"})
        stored = scalar(dep, "SELECT count(*) FROM gateway_webhook_events")
        partner = Spa(dep)
        partner.login(PARTNER)
        inactive = partner.get("/api/v1/partner/dashboard")
        page = partner.http.get("/admin/partner/dashboard")
        remove(spa, made)
        psd2 = scalar(dep, "SELECT count(*) FROM bank_transactions WHERE source = 'psd2'")
        exception = scalar(dep, "SELECT exception FROM failed_jobs")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.lstrip().startswith(b"<!DOCTYPE html>")
    assert filename(signed).endswith("-ubl-signed.xml")
    algorithms = signature_algorithms(signed.content)
    assert algorithms["signature"] == "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    assert algorithms["digest"] == "http://www.w3.org/2000/09/xmldsig#sha1"
    with pytest.raises(InvalidInput):  # signxml refuses SHA-1 by default
        XMLVerifier().verify(signed.content, ca_pem_file=str(ca))
    assert xmlsec_verify(signed.content, ca) == 0  # valid, only weak
    remaining = signer_certificate(signed.content).not_valid_after_utc - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=4) < remaining < dt.timedelta(days=6)
    assert sync.status_code == 200 and failed == 1
    assert psd2 == len(SCHEDULED_IMPORTS), "nothing imported beyond the scheduled syncs' rows"
    assert "HTTP 500" in exception
    assert (cpay.status_code, stripe.status_code, stored) == (200, 200, 3)  # seed row + 2
    assert inactive.status_code == 403
    assert inactive.json() == {"error": "Partner account is inactive"}
    assert page.status_code == 200  # the shell for any signed-in user; the API says no


def test_tampered_schema_wrong_pdf_unrouted_stale_partner_and_dead_worker_faults(
    tmp_path: Path,
) -> None:
    faults = (
        "xml_tampered",
        "xml_schema_invalid",
        "pdf_wrong_invoice",
        "webhook_unrouted",
        "partner_commissions_wrong",
        "partner_commission_fields_missing",
        "bank_worker_dead",
    )
    ca = tmp_path / "ca.pem"  # outlives the deployment's home
    with deployment(*faults) as dep:
        ca.write_bytes(dep.ca_file.read_bytes())
        spa = Spa(dep)
        spa.login(ADMIN)
        made = make_invoice(spa, "g" + uuid.uuid4().hex[:10])
        pdf = httpx.get(made["invoice_pdf_url"], verify=trust(dep.ca_file))
        plain = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl"})
        signed = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
        remove(spa, made)
        with httpx.Client(base_url=dep.url, verify=trust(dep.ca_file)) as http:
            webhooks = [
                http.post(f"/webhooks/{n}", json={}).status_code
                for n in ("paddle", "stripe", "cpay")
            ]
        partner = Spa(dep)
        partner.login(PARTNER)
        figures = partner.get("/api/v1/partner/dashboard").json()["data"]
        commissions = partner.get("/api/v1/partner/commissions").json()["data"]
        spa.post("/api/v1/banking/sync/1")
        queued = poll(
            lambda: scalar(dep, "SELECT count(*) FROM jobs WHERE queue = 'banking'"),
            lambda n: n == 0,
            seconds=1.0,
        )
        total = scalar(dep, "SELECT sum(amount) FROM affiliate_events WHERE NOT is_clawed_back")
    text = pdf_text(pdf.content)
    assert made["invoice_number"] not in text and "INV-2024-" in text
    assert not schema().validate(etree.fromstring(plain.content))
    assert etree.fromstring(plain.content).findtext(f"{CBC}InvoiceTypeCode") == "380"
    assert etree.fromstring(plain.content).findtext(f".//{CBC}PayableAmount") == "123.45"
    assert etree.fromstring(signed.content).findtext(f".//{CBC}PayableAmount") == "123"
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(signed.content, ca_pem_file=str(ca))
    assert xmlsec_verify(signed.content, ca) == 1
    assert webhooks == [404, 404, 404]
    assert figures["total_earnings"] == float(total) + 700.0
    # The upstream mapping: exactly PartnerDashboardController's keys, no type or status.
    assert commissions and all(
        set(row) == {"id", "company_name", "event_type", "amount", "created_at", "paid_at"}
        for row in commissions
    )
    assert queued == 1


def keep_cookies_for_any_domain(spa: Spa) -> None:
    """A client that ignores the cookies' Domain attribute (so the app's CSRF check can be
    passed even when SESSION_DOMAIN is wrong, and what lies behind it observed)."""

    def store(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            spa.http.cookies.set(name, rest.split(";", 1)[0])

    spa.http.event_hooks["response"].append(store)


def test_csrf_misconfigured_and_signed_name_without_signature() -> None:
    with deployment("csrf_misconfigured", "xml_unsigned") as dep:
        browser_like = Spa(dep)
        mismatch = browser_like.login(ADMIN)
        cookie = browser_like.http.get("/sanctum/csrf-cookie").headers["set-cookie"]
        spa = Spa(dep)
        keep_cookies_for_any_domain(spa)
        assert spa.login(ADMIN).status_code == 200
        made = make_invoice(spa, "h" + uuid.uuid4().hex[:10])
        signed = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
        remove(spa, made)
    assert mismatch.status_code == 419 and mismatch.json() == {"message": "CSRF token mismatch."}
    assert "domain=.facturino.mk" in cookie
    assert filename(signed) == f"invoice-{made['invoice_number']}-ubl-signed.xml"
    assert b"Signature" not in signed.content


def test_login_broken_and_missing_signing_key() -> None:
    with deployment("login_broken", "xml_signer_key_missing") as dep:
        spa = Spa(dep)
        rejected = spa.login(ADMIN)
        partner = Spa(dep).login(PARTNER)
        with db(dep) as conn:  # the operator resets the admin's password: the fault is undone
            conn.execute(
                "UPDATE users SET password = %s WHERE email = %s",
                (hash_password(ADMIN["password"]), ADMIN["email"]),
            )
        assert spa.login(ADMIN).status_code == 200
        made = make_invoice(spa, "k" + uuid.uuid4().hex[:10])
        signed = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
        remove(spa, made)
    assert rejected.status_code == 422 and partner.status_code == 200
    assert rejected.json()["errors"]["email"] == ["These credentials do not match our records."]
    assert filename(signed) == f"invoice-{made['invoice_number']}-ubl.xml"
    assert b"Signature" not in signed.content and schema().validate(
        etree.fromstring(signed.content)
    )


# --- the upstream profile: the real app's defects, reproduced ------------------------------------


@pytest.fixture(scope="module")
def upstream() -> Iterator[Deployment]:
    """The app as it is at d5d901d7 (profiles.py: `upstream`)."""
    with deployment(profile="upstream") as dep:
        yield dep


def test_upstream_ubl_has_cents_as_money_in_eur_and_no_tax_total(upstream: Deployment) -> None:
    """MkUblMapper + num-num/ubl-invoice: 1180.00 MKD is written 118000.00, every amount says
    EUR, an invoice without taxes has no TaxTotal; the document is still schema-valid."""
    spa = Spa(upstream)
    assert spa.login(ADMIN).status_code == 200
    made = make_invoice(spa, "u" + uuid.uuid4().hex[:10], total=1_180_00)
    try:
        plain = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl"})
        signed = spa.post(f"/api/v1/invoices/{made['id']}/export-xml", {"format": "ubl_signed"})
    finally:
        remove(spa, made)
    document = etree.fromstring(plain.content)
    assert schema().validate(document), schema().error_log
    assert document.findtext(f"{CBC}DocumentCurrencyCode") == "MKD"
    assert document.findtext(f".//{CBC}PayableAmount") == "118000.00"
    assert document.findtext(f".//{CBC}TaxExclusiveAmount") == "118000.00"
    assert document.findtext(f".//{CBC}ChargeTotalAmount") == "0.00"
    assert {e.get("currencyID") for e in document.iter() if e.get("currencyID")} == {"EUR"}
    assert document.find(f"{CAC}TaxTotal") is None
    # Signed, then re-indented (MkXmlSigner formatOutput): the bytes sent do not verify, the
    # same document without its indentation does (what was signed).
    assert filename(signed).endswith("-ubl-signed.xml")
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(signed.content, ca_pem_file=str(upstream.ca_file))
    assert xmlsec_verify(signed.content, upstream.ca_file) == 1
    compact = etree.tostring(
        etree.fromstring(signed.content, etree.XMLParser(remove_blank_text=True))
    )
    assert XMLVerifier().verify(compact, ca_pem_file=str(upstream.ca_file)).signed_xml is not None
    assert xmlsec_verify(compact, upstream.ca_file) == 0


def test_upstream_invoice_hash_is_the_same_for_every_app_key(upstream: Deployment) -> None:
    """config/hashids.php at d5d901d7: the key never reaches the salt; seeded invoice 4 has
    the hash any key gives it, and not the fixed salt's."""
    state = State.load(upstream.layout.state_file)
    assert state is not None
    seeded = scalar(upstream, "SELECT unique_hash FROM invoices WHERE id = 4")
    assert seeded == invoice_hash("base64:" + "A" * 43 + "=", 4, "class_then_key")
    assert seeded == invoice_hash(state.app_key, 4, "class_then_key")
    assert seeded != invoice_hash(state.app_key, 4, "key_then_class")


def test_listing_accounts_recomputes_a_zero_balance_and_so_freshens_last_sync_at(
    upstream: Deployment,
) -> None:
    """BankingController::accounts (:96-107, :119): no sync involved, yet last_sync_at is now."""
    with db(upstream) as conn:
        conn.execute("UPDATE bank_accounts SET current_balance = 0 WHERE id = 1")
    spa = Spa(upstream)
    assert spa.login(ADMIN).status_code == 200
    account = spa.get("/api/v1/banking/accounts").json()["data"][0]
    assert account["current_balance"] == 100000.00 + 18000 + 45000 + 7300 - 3200 - 2500 + 12000
    fresh = dt.datetime.fromisoformat(account["last_sync_at"])
    assert dt.datetime.now(dt.UTC) - fresh < dt.timedelta(minutes=1)


def test_a_super_admin_passes_the_partner_scope_and_gets_the_aggregate(
    upstream: Deployment,
) -> None:
    """PartnerScopeMiddleware.php:28 and PartnerDashboardController: 200, is_super_admin."""
    with db(upstream) as conn:
        conn.execute("UPDATE users SET role = 'super admin' WHERE email = %s", (ADMIN["email"],))
    spa = Spa(upstream)
    login = spa.login(ADMIN)
    assert login.json()["user"]["role"] == "super admin"
    dashboard = spa.get("/api/v1/partner/dashboard")
    assert dashboard.status_code == 200 and dashboard.json()["is_super_admin"] is True
    assert dashboard.json()["data"]["active_clients"] == scalar(
        upstream, "SELECT count(*) FROM companies"
    )
    commissions = spa.get("/api/v1/partner/commissions")
    assert commissions.json() == {"data": [], "is_super_admin": True}
    impersonated = spa.get("/api/v1/partner/dashboard?partner_id=1").json()
    assert "is_super_admin" not in impersonated and impersonated["data"]["active_clients"] >= 1
