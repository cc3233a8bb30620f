"""`unique_hash` of invoices: vinkla/laravel-hashids with the app's `config/hashids.php`.

The connection for `App\\Models\\Invoice` uses salt = `Invoice::class . config('app.key')`
(the class name as PHP spells it, then the raw APP_KEY string including `base64:`), min
length 20 and a per-model alphabet. The salt contains the APP_KEY, so a deployment running
the public example key publishes every PDF URL to whoever knows an invoice id.
"""

from __future__ import annotations

from hashids import Hashids

INVOICE_CLASS = "App\\Models\\Invoice"  # PHP's Invoice::class
INVOICE_ALPHABET = "XKAR7m8jD2bqP9OSVeNGiYL465T10zhfWuc3"  # config/hashids.php
MIN_LENGTH = 20


def invoice_hashids(app_key: str) -> Hashids:
    return Hashids(salt=INVOICE_CLASS + app_key, min_length=MIN_LENGTH, alphabet=INVOICE_ALPHABET)


def invoice_hash(app_key: str, invoice_id: int) -> str:
    """Hashids::connection(Invoice::class)->encode($invoice->id)."""
    return str(invoice_hashids(app_key).encode(invoice_id))
