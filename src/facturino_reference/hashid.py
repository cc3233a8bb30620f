"""`unique_hash` of invoices: vinkla/laravel-hashids with the app's `config/hashids.php`.

The connection for `App\\Models\\Invoice` has min length 20 and a per-model alphabet. Its salt
(`MK_HASHIDS_SALT`): `class_then_key` is the app at d5d901d7, `Invoice::class .
config('app.key')` (the class name as PHP spells it, then the raw APP_KEY with `base64:`).
Hashids reads only as many salt characters as its alphabet has, all of them from the class
name and `base64:`, so the key never reaches the hash: every deployment gives invoice 5 the
hash `3OLA17GzR3WRqj489P5W`. `key_then_class` is the fix (`config('app.key') . Invoice::class`):
the key's characters are the effective salt, so hashes differ per key.
"""

from __future__ import annotations

from hashids import Hashids

INVOICE_CLASS = "App\\Models\\Invoice"  # PHP's Invoice::class
INVOICE_ALPHABET = "XKAR7m8jD2bqP9OSVeNGiYL465T10zhfWuc3"  # config/hashids.php
MIN_LENGTH = 20
SALT_ORDERS = ("class_then_key", "key_then_class")


def invoice_salt(app_key: str, order: str = "key_then_class") -> str:
    return INVOICE_CLASS + app_key if order == "class_then_key" else app_key + INVOICE_CLASS


def invoice_hashids(app_key: str, order: str = "key_then_class") -> Hashids:
    return Hashids(
        salt=invoice_salt(app_key, order), min_length=MIN_LENGTH, alphabet=INVOICE_ALPHABET
    )


def invoice_hash(app_key: str, invoice_id: int, order: str = "key_then_class") -> str:
    """Hashids::connection(Invoice::class)->encode($invoice->id)."""
    return str(invoice_hashids(app_key, order).encode(invoice_id))
