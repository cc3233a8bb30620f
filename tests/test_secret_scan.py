"""The canary scanner itself: it must find a secret in any encoding and on screen."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from urllib.parse import quote

import pytest

from .secret_scan import _expand, encodings, fragments, scan, seen_by_ocr

SECRET = "canary-admin-2b8d4e6f"


@pytest.mark.parametrize("before", [b"", b"x", b"xy", b"some prefix "])
def test_base64_of_a_stream_holding_the_secret_is_recognised(before: bytes) -> None:
    stream = base64.b64encode(before + SECRET.encode() + b" and more")
    assert any(form in stream for form in encodings(SECRET))


@pytest.mark.parametrize(
    "text",
    [SECRET, json.dumps({"p": SECRET}), f"a={quote(SECRET, safe='')}", f"x {SECRET} y"],
)
def test_text_encodings_are_recognised(text: str) -> None:
    assert scan([("f.txt", text.encode())], [SECRET]).leaks == {"f.txt": [SECRET]}


def test_a_secret_cut_inside_it_is_found_by_its_fragments() -> None:
    cut = f"DATABASE_URL=postgresql://u:{SECRET[:12]}…"
    assert scan([("f.txt", cut.encode())], [SECRET]).leaks == {}
    assert scan([("f.txt", cut.encode())], [SECRET], fragment=8).leaks == {"f.txt": [SECRET]}


def test_fragments_of_the_readable_prefix_alone_are_ordinary_text() -> None:
    assert not any(b"-admin-" in run for run in fragments(SECRET, 8))
    assert scan([("f.css", b".mk-admin-2 {}")], [SECRET], fragment=8).leaks == {}


def test_zip_entries_are_scanned_recursively() -> None:
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("trace.network", f'{{"postData": "{SECRET}"}}')
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nested.zip", inner.getvalue())
    found = scan(_expand("a.zip", outer.getvalue()), [SECRET]).leaks
    assert list(found) == ["a.zip:nested.zip:trace.network"]


def test_ocr_misreadings_are_tolerated_but_other_text_is_not() -> None:
    assert seen_by_ocr("Error: canary-admin-2b8d4e6f rejected", SECRET)
    assert seen_by_ocr("db canary-adm1n-2b8d4e6f small", SECRET)  # i read as 1
    assert seen_by_ocr("canary admin 2b8d4e6t", SECRET)  # one glyph wrong, dashes lost
    assert not seen_by_ocr("canary-partner-9c1a7b3d", SECRET)
    assert not seen_by_ocr("Sign in to Facturino", SECRET)
