"""Invoice flow checks: created records, the public PDF, the unguessable hash (contract §5)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import httpx

from . import remedies
from .base import fail, shorten
from .http import described, expect_status, json_body

INVOICE_MODEL = "App\\Models\\Invoice"  # PHP's Invoice::class, the Hashids salt prefix


def created(response: httpx.Response, what: str, remedy: str = remedies.INVOICE) -> dict[str, Any]:
    """``{"data": {...}}`` with an id from a create call; a duplicate warning is a failure
    (nothing was created)."""
    __tracebackhide__ = True
    claim = f"POST creates the {what}"
    expect_status(response, (200, 201), claim, remedy)
    body = json_body(response, claim, remedy)
    if isinstance(body, dict) and body.get("is_duplicate_warning"):
        fail(claim, "data.id (created)", f"duplicate warning: {shorten(str(body))}", remedy)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        fail(claim, "{'data': {'id': <int>, ...}}", shorten(str(body)), remedy)
    return data


def expect_draft_invoice(data: dict[str, Any], number: str) -> None:
    __tracebackhide__ = True
    expectations = {
        "invoice_number": number,
        "status": "DRAFT",
    }
    for key, want in expectations.items():
        if data.get(key) != want:
            fail(f"the created invoice has {key} {want!r}", want, data.get(key), remedies.INVOICE)
    unique_hash = data.get("unique_hash")
    if not isinstance(unique_hash, str) or len(unique_hash) < 20:
        fail(
            "the created invoice has a unique_hash of 20+ characters",
            "a Hashids string, length >= 20",
            repr(unique_hash),
            remedies.INVOICE,
        )


def _hashids(salt: str, min_length: int, alphabet: str) -> Any:
    from hashids import Hashids

    return Hashids(salt=salt, min_length=min_length, alphabet=alphabet)


def public_key_hash(
    invoice_id: int, app_key: str, min_length: int, alphabet: str, key_first: bool = False
) -> str:
    """The ``unique_hash`` a deployment running with ``app_key`` gives invoice ``invoice_id``:
    salt ``Invoice::class . APP_KEY`` as Facturino's config/hashids.php builds it, or with
    ``key_first`` the remedy's ``APP_KEY . Invoice::class``."""
    salt = app_key + INVOICE_MODEL if key_first else INVOICE_MODEL + app_key
    return str(_hashids(salt, min_length, alphabet).encode(invoice_id))


# Another key of Laravel's usual form, to see whether the key reaches the hash at all.
OTHER_KEY = "base64:" + "Zm9yLWNvbXBhcmlzb24tb25seS1ub3QtYS1yZWFsLWtleQ=="


def hash_depends_on_key(invoice_id: int, app_key: str, min_length: int, alphabet: str) -> bool:
    """Whether the APP_KEY changes the hash at all. Hashids only uses as many salt characters
    as the alphabet is long, and the salt starts with the 18-character class name: with
    Facturino's config (36-character alphabet) only "base64:"'s first letters are used, so
    every standard key gives the same hash."""
    return public_key_hash(invoice_id, app_key, min_length, alphabet) != public_key_hash(
        invoice_id, OTHER_KEY, min_length, alphabet
    )


def key_independence_note(unique_hash: str, invoice_id: int) -> str:
    return (
        f"unique_hash {unique_hash} is Hashids('{INVOICE_MODEL}' + APP_KEY).encode({invoice_id}) "
        "whatever the key is, because Hashids uses only the salt's first characters (as many as "
        "the alphabet has) and config/hashids.php puts the 18-character class name first, so the "
        "key never reaches the hash. Every Facturino deployment gives this invoice this hash: "
        "public PDF URLs (/invoices/pdf/{hash}) can be enumerated from invoice ids"
    )


HASH_REMEDY = (
    "a defect of the application's code (config/hashids.php at d5d901d7, salt "
    "Invoice::class . config('app.key')), not of this deployment's key: put the key first "
    "(config('app.key') . Invoice::class), re-hash existing invoices' unique_hash and release "
    "again; until then treat invoice PDFs as public to anyone who can count"
)


def expect_hash_depends_on_key(note: str) -> None:
    """Where the environment counts key-independent hashes as a failure (the default)."""
    __tracebackhide__ = True
    fail(
        "the invoice's unique_hash depends on the deployment's APP_KEY",
        "a Hashids salt whose significant characters include the APP_KEY",
        note,
        HASH_REMEDY,
    )


def expect_hash_not_from_public_key(
    unique_hash: str, invoice_id: int, app_key: str, min_length: int, alphabet: str
) -> str | None:
    """With the public example APP_KEY every PDF URL is enumerable (contract §21).

    Fails when the hash is the example key's (with the key in either place of the salt) and the
    key does reach the hash; returns a note (see :func:`key_independence_note`) when the hash
    is derivable but no key would change it; None when the hash is not derivable at all."""
    __tracebackhide__ = True
    class_first = public_key_hash(invoice_id, app_key, min_length, alphabet)
    key_first = public_key_hash(invoice_id, app_key, min_length, alphabet, key_first=True)
    if unique_hash not in (class_first, key_first):
        return None
    if unique_hash == class_first and not hash_depends_on_key(
        invoice_id, app_key, min_length, alphabet
    ):
        return key_independence_note(unique_hash, invoice_id)
    fail(
        "the invoice's unique_hash is not derivable from the public example APP_KEY",
        "a hash that the example key's Hashids does not produce",
        f"unique_hash {unique_hash} = Hashids(salt with the example key).encode({invoice_id}): "
        "every public PDF URL can be enumerated",
        remedies.APP_KEY,
    )


def money_renderings(minor: int) -> list[str]:
    """Ways an amount in minor units can be printed: 1852050 → 18520.50, 18,520.50, 18.520,50…
    and, rounded half up for a currency without decimals (MKD), 18,521 / 18.521 / 18521."""
    units, cents = divmod(abs(minor), 100)
    rounded = units + (1 if cents >= 50 else 0)
    forms = set()
    for thousands in (",", ".", " ", "\u00a0", ""):
        whole = f"{units:,}".replace(",", thousands)
        for decimal in (".", ","):
            if decimal != thousands:
                forms.add(f"{whole}{decimal}{cents:02d}")
        if rounded >= 1000 or thousands == "":
            forms.add(f"{rounded:,}".replace(",", thousands))
    return sorted(forms, key=len, reverse=True)


def pdf_text(content: bytes) -> str:
    """All text of a PDF (pypdf); raises ValueError when it is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, KeyError, TypeError) as error:
        raise ValueError(str(error) or type(error).__name__) from None


def expect_invoice_pdf(
    response: httpx.Response, number: str, customer: str, total_minor: int
) -> str:
    """200, application/pdf, ``%PDF-``, parses, shows number, customer and total."""
    __tracebackhide__ = True
    claim = "the public PDF URL serves the invoice as a PDF"
    expect_status(response, 200, claim, remedies.PDF)
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media != "application/pdf":
        fail(claim, "Content-Type: application/pdf", described(response), remedies.PDF)
    if not response.content.startswith(b"%PDF-"):
        fail(claim, "a body starting with %PDF-", repr(response.content[:40]), remedies.PDF)
    try:
        text = pdf_text(response.content)
    except ValueError as error:
        fail("the invoice PDF parses (pypdf)", "a readable PDF", str(error), remedies.PDF)
    flat = " ".join(text.split())
    for label, wanted in (("invoice number", [number]), ("customer", [customer])):
        _expect_any_in(flat, wanted, f"the PDF shows the {label}")
    _expect_any_in(flat, money_renderings(total_minor), "the PDF shows the invoice total")
    return flat


def _expect_any_in(text: str, candidates: Iterable[str], claim: str) -> None:
    __tracebackhide__ = True
    wanted = list(candidates)
    if not any(c in text for c in wanted):
        fail(claim, " or ".join(repr(c) for c in wanted[:4]), shorten(text, 200), remedies.PDF)


def expect_listed(url: str, page_text: str, number: str) -> None:
    """The SPA's invoice list shows the new invoice's number."""
    __tracebackhide__ = True
    if number not in page_text:
        fail(
            "the new invoice is listed in the admin UI",
            f"{number} on the invoices page",
            f"{url}: {shorten(page_text, 160)}",
            remedies.INVOICE,
        )


def expect_gone(response: httpx.Response, what: str) -> None:
    """After the delete: 404 (the delete is hard, there is no soft-deleted remnant)."""
    __tracebackhide__ = True
    expect_status(response, 404, f"{what} is gone after the cleanup (404)", remedies.CLEANUP)


def expect_deleted(response: httpx.Response, what: str) -> None:
    __tracebackhide__ = True
    claim = f"POST /api/v1/{what}/delete succeeds"
    expect_status(response, 200, claim, remedies.CLEANUP)
    body = json_body(response, claim, remedies.CLEANUP)
    if not isinstance(body, dict) or body.get("success") is not True:
        fail(claim, "{'success': true}", shorten(str(body)), remedies.CLEANUP)
