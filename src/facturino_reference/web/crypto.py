"""Laravel's Encrypter (AES-256-CBC + HMAC-SHA256) and EncryptCookies' value prefix.

Cookies must decrypt with the APP_KEY exactly as Laravel's would, because the suite's
APP_KEY check verifies the XSRF-TOKEN cookie's MAC against the public example key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class DecryptError(Exception):
    """The payload is not one this key produced ("The payload is invalid.")."""


def parse_app_key(app_key: str) -> bytes:
    if app_key.startswith("base64:"):
        return base64.b64decode(app_key[len("base64:") :])
    return app_key.encode()


def _php_json(data: dict[str, str]) -> str:
    # PHP's json_encode escapes "/" by default; base64 strings are full of them.
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/")


class Encrypter:
    """`Illuminate\\Encryption\\Encrypter` with the aes-256-cbc cipher."""

    def __init__(self, app_key: str) -> None:
        self.key = parse_app_key(app_key)
        if len(self.key) != 32:
            raise ValueError("APP_KEY must decode to 32 bytes for AES-256-CBC")

    def _mac(self, iv_b64: str, value_b64: str) -> str:
        return hmac.new(self.key, (iv_b64 + value_b64).encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext.encode()) + padder.finalize()
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
        cipher = encryptor.update(padded) + encryptor.finalize()
        iv_b64 = base64.b64encode(iv).decode()
        value_b64 = base64.b64encode(cipher).decode()
        payload = {"iv": iv_b64, "value": value_b64, "mac": self._mac(iv_b64, value_b64), "tag": ""}
        return base64.b64encode(_php_json(payload).encode()).decode()

    def decrypt(self, payload: str) -> str:
        data = self._payload(payload)
        if not hmac.compare_digest(self._mac(data["iv"], data["value"]), data["mac"]):
            raise DecryptError("The MAC is invalid.")
        try:
            iv = base64.b64decode(data["iv"], validate=True)
            cipher = base64.b64decode(data["value"], validate=True)
            decryptor = Cipher(algorithms.AES(self.key), modes.CBC(iv)).decryptor()
            padded = decryptor.update(cipher) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            return (unpadder.update(padded) + unpadder.finalize()).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise DecryptError("Could not decrypt the data.") from exc

    @staticmethod
    def _payload(payload: str) -> dict[str, str]:
        try:
            data = json.loads(base64.b64decode(payload, validate=True))
        except (ValueError, binascii.Error) as exc:
            raise DecryptError("The payload is invalid.") from exc
        valid = isinstance(data, dict) and all(
            isinstance(data.get(k), str) for k in ("iv", "value", "mac")
        )
        if not valid or len(base64.b64decode(data["iv"])) != 16:
            raise DecryptError("The payload is invalid.")
        return {k: data[k] for k in ("iv", "value", "mac")}


def cookie_prefix(key: bytes, cookie_name: str) -> str:
    """CookieValuePrefix::create: binds an encrypted value to its cookie's name."""
    return hmac.new(key, (cookie_name + "v2").encode(), hashlib.sha1).hexdigest() + "|"


def encrypt_cookie(enc: Encrypter, name: str, value: str) -> str:
    """The URL-encoded Set-Cookie value of an EncryptCookies-encrypted cookie."""
    return quote(enc.encrypt(cookie_prefix(enc.key, name) + value), safe="")


def decrypt_cookie(enc: Encrypter, name: str, raw: str) -> str | None:
    """The plain value of an encrypted cookie, or None when it is not valid for `name`."""
    try:
        plain = enc.decrypt(unquote(raw))
    except DecryptError:
        return None
    prefix = cookie_prefix(enc.key, name)
    return plain[len(prefix) :] if plain.startswith(prefix) else None


def decrypt_header_token(enc: Encrypter, header: str) -> str:
    """VerifyCsrfToken: X-XSRF-TOKEN is the (URL-decoded) encrypted cookie value."""
    try:
        plain = enc.decrypt(header)
    except DecryptError:
        return ""
    prefix, sep, rest = plain.partition("|")
    return rest if sep and len(prefix) == 40 else plain
