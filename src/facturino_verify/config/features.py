"""Environment keys of the feature flows (``[browser]`` and ``[features.*]``).

Everything has a default that fits the bundled reference deployment and Facturino at HEAD
``d5d901d``; production overrides what differs. Paths are anchored at the environment file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from .section import Section

# Debian's Chromium first, then the wrapper-less binary (Playwright's own download after these).
CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
)
# config/hashids.php at the analysed commit: the Invoice connection's alphabet.
INVOICE_HASHIDS_ALPHABET = "XKAR7m8jD2bqP9OSVeNGiYL465T10zhfWuc3"


class Browser(Section):
    """How Chromium is started for the ``browser`` tests."""

    # None: the first of CHROMIUM_CANDIDATES that exists, else Playwright's own download.
    executable_path: Path | None = None
    # "pin": trust the deployment's certificate the way [target] does (its CA), by pinning the
    # SPKI of the CA and of the server certificate after Python verified it against that CA.
    # "ignore": ignore every certificate error (only for targets with verify_tls = false).
    tls: Literal["pin", "ignore"] = "pin"
    # How long a page, selector or navigation may take. A healthy page answers in well under a
    # second; the margin is for a loaded CI runner, where Chromium itself is slow to paint, so
    # that a slow runner is not reported as a broken release.
    timeout_ms: int = Field(15_000, gt=0)
    headless: bool = True
    """Run Chromium without a window."""


class InvoiceFlow(Section):
    """The invoice + PDF flow (writes)."""

    template_name: str = "invoice1"
    """The PDF template the test invoice uses."""
    # Minor units, with cents (a renderer with MKD's precision 0 may round: both are accepted).
    item_price: int = Field(617_350, gt=0)
    quantity: int = Field(3, gt=0)
    """The test invoice's item quantity."""
    hashids_alphabet: str = INVOICE_HASHIDS_ALPHABET
    """The Invoice connection's Hashids alphabet (config/hashids.php)."""
    hashids_min_length: int = Field(20, ge=0)
    """Its minimum hash length."""
    # With Facturino's config/hashids.php at d5d901d7 the APP_KEY never reaches the hash
    # (Hashids reads only the salt's first characters, which are the class name): every PDF
    # URL is enumerable on every deployment. A release gate fails it ("fail", the default);
    # "warn" reports it as a note where the risk is accepted until the app is fixed.
    hash_without_key: Literal["warn", "fail"] = "fail"


class Efaktura(Section):
    """UBL export and its XMLDSig signature (contract section 6)."""

    # None: the OASIS schemas the package carries (facturino_verify/schemas/ubl-2.1).
    ubl_schema_dir: Path | None = None
    # PEM of the CA (or certificate) the signer's certificate must chain to.
    trust_anchor: Path | None = None
    signer_min_days_valid: int = Field(30, ge=0)
    """The signing certificate must stay valid this many days."""
    currency: str = "MKD"
    """The currency the UBL export must carry."""
    # ds:Signature as last child of <Invoice> (not in UBLExtensions) is Facturino's known
    # non-standard placement: a warning by default, a failure where the environment says so.
    signature_placement: Literal["warn", "fail"] = "warn"
    xmlsec1: str = "xmlsec1"
    """The xmlsec1 binary that verifies the signature a second time."""


class Banking(Section):
    """PSD2 banking (contract section 7)."""

    # The newest psd2 transaction's import time (created_at) must be younger than this: the one
    # trace a sync leaves (the API's last_sync_at is the account's updated_at, which no sync
    # writes). The scheduler syncs every 4 h; a quiet account imports only what the bank books.
    last_sync_max_age_hours: float = Field(26.0, gt=0)
    sync_deadline_seconds: float = Field(20.0, gt=0)
    """Seconds the triggered sync may take to be processed."""
    poll_interval_seconds: float = Field(0.2, gt=0)
    """How often the sync's progress is read."""
    # None: the first account /api/v1/banking/accounts lists.
    account_id: int | None = None
    queue: str = "banking"
    """The queue the sync job must be seen on."""
    job_name: str = "SyncBankTransactions"
    """The sync job's class name."""
    # Must the sync import new psd2 rows? "required": yes (a sandbox bank that books on every
    # call, like the reference's); "if_token": only when the account's bank has a valid
    # bank_tokens row (without one the job imports nothing by design); "not_judged": a real
    # bank with no new activity imports nothing, so the count is reported, not judged.
    new_transactions: Literal["required", "if_token", "not_judged"] = "required"


class Payment(Section):
    """Subscription, checkout and webhooks (contract section 8)."""

    # /webhooks/stripe rejects bad signatures only when STRIPE_WEBHOOK_SECRET is set; without it
    # the probe would store a junk row, so it is skipped there.
    stripe_webhook_secret_set: bool = True
    checkout_tier: str = "business"
    """The plan the checkout session is opened for."""
    checkout_interval: Literal["monthly", "yearly"] = "monthly"
    """Its billing interval."""
    checkout_currency: Literal["mkd", "eur"] = "mkd"
    """Its currency."""


class Features(Section):
    """The runbook's feature flows (``tests_features/``)."""

    run_tag_prefix: str = Field("verify", pattern=r"^[a-z][a-z0-9-]{0,15}$")
    """The start of the tag on everything a run creates (`verify-<time>-<hex>`)."""
    # What a statistics card of the partner dashboard is (DashboardStatsItem.vue renders each
    # as role="listitem" holding a title and a value); the cards are told apart by their
    # titles (en or mk), so the selector names no figure.
    partner_widget_selector: str = Field('[role="listitem"]', min_length=1)

    # Auth calls a whole run may spend (the app's throttle:auth is 5/min per IP).
    auth_calls_per_minute: int = Field(5, ge=1)
    # Sessions a run signed in are reused by the next runs for this long (0: always log in);
    # below the app's SESSION_LIFETIME (120 min in the runbook), so a reused one is still valid.
    session_reuse_minutes: float = Field(60.0, ge=0)
    invoice: InvoiceFlow = InvoiceFlow()
    efaktura: Efaktura = Efaktura()
    banking: Banking = Banking()
    payment: Payment = Payment()

    @field_validator("partner_widget_selector")
    @classmethod
    def _no_figure_placeholder(cls, value: str) -> str:
        if "{name}" in value:
            raise ValueError(
                "selects every statistics card, without {name} (the SPA marks no figure; "
                """cards are told apart by their titles): e.g. '[role="listitem"]'"""
            )
        return value


def default_schema_dir(project_root: Path | None = None) -> Path:
    """The OASIS UBL 2.1 schemas the package carries (schemas/ORIGIN.md)."""
    return (Path(__file__).resolve().parent.parent / "schemas" / "ubl-2.1").resolve()
