"""Find planted secrets in a run's artifacts: text in every encoding a tool may use, and the
text of every image (screenshots, trace frames) read back by OCR.

An artifact is a file, or an entry of a zip (Playwright traces), recursively. Images are read
with tesseract; OCR confuses a few glyphs (``1``/``l``, ``0``/``o``), so both sides are folded
to one alphabet and a window that differs in at most two characters counts as found. The canary
test proves with a positive control that this reading sees a secret that is on screen.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

IMAGE_SUFFIXES = (".png", ".jpeg", ".jpg", ".webp")
_FOLD = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "!": "l", "5": "s"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def encodings(secret: str) -> set[bytes]:
    """The forms a secret takes in files: raw, JSON-escaped, URL-encoded, and base64 (at all
    three alignments, without the edge characters that depend on neighbouring bytes)."""
    raw = secret.encode()
    forms = {raw, json.dumps(secret)[1:-1].encode(), quote(secret, safe="").encode()}
    for shift, mixed_head in ((0, 0), (1, 2), (2, 3)):  # characters shared with the prefix
        body = base64.b64encode(b"\0" * shift + raw)[mixed_head:].rstrip(b"=")
        forms.add(body[:-2])  # the tail may share a character with what follows
    return {f for f in forms if len(f) >= 6}


def fold(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower().translate(_FOLD))


def seen_by_ocr(text: str, secret: str, tolerance: int = 2) -> bool:
    """The secret appears in OCR output, allowing ``tolerance`` misread characters."""
    haystack, needle = fold(text), fold(secret)
    if needle in haystack:
        return True
    n = len(needle)
    return any(
        sum(a != b for a, b in zip(haystack[i : i + n], needle, strict=True)) <= tolerance
        for i in range(len(haystack) - n + 1)
    )


def ocr(image: bytes) -> str:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RuntimeError("tesseract is not installed (make setup installs tesseract-ocr)")
    done = subprocess.run(
        [tesseract, "stdin", "stdout", "--psm", "3"],
        input=image,
        capture_output=True,
        check=False,
        timeout=60,
    )
    return done.stdout.decode(errors="replace")


def artifacts(root: Path) -> Iterator[tuple[str, bytes]]:
    """(name, content) of every file under ``root`` and of every entry of every zip in it."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield from _expand(str(path.relative_to(root)), path.read_bytes())


def _expand(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield name, data
    if name.endswith(".zip") or data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.namelist():
                yield from _expand(f"{name}:{entry}", archive.read(entry))


@dataclass
class Scan:
    """What a scan looked at and what it found."""

    texts: int = 0
    images: int = 0
    leaks: dict[str, list[str]] = field(default_factory=dict)  # artifact → secrets found in it

    def found(self, name: str, secret: str) -> None:
        self.leaks.setdefault(name, []).append(secret)


def fragments(secret: str, size: int) -> set[bytes]:
    """Runs of ``size`` characters of the secret: what is left of it when a message was cut
    inside it, or when a driver quoted one piece of a URL it could not parse. Only runs with at
    least half their characters in the secret's first word or its random tail (before the first
    and after the last '-') count: a run from the readable middle alone, such as '-partner', is
    ordinary text in any report."""
    raw = secret.encode()
    head, tail = raw.find(b"-") % (len(raw) + 1), raw.rfind(b"-") + 1

    def marked(start: int) -> bool:
        end = start + size
        return min(end, head) - start >= size // 2 or end - max(start, tail) >= size // 2

    return {raw[i : i + size] for i in range(len(raw) - size + 1) if marked(i)}


def scan(
    named: Iterable[tuple[str, bytes]], secrets: Iterable[str], fragment: int | None = None
) -> Scan:
    """Every text for every encoding of every secret (and, with ``fragment``, for every run of
    that many of its characters); every distinct image through OCR."""
    secrets = list(secrets)
    forms = {s: encodings(s) | (fragments(s, fragment) if fragment else set()) for s in secrets}
    result, read_images = Scan(), set()
    for name, data in named:
        result.texts += 1
        for secret, encoded in forms.items():
            if any(form in data for form in encoded):
                result.found(name, secret)
        if name.lower().endswith(IMAGE_SUFFIXES):
            digest = hashlib.sha256(data).hexdigest()
            if digest in read_images:
                continue
            read_images.add(digest)
            result.images += 1
            text = ocr(data)
            for secret in secrets:
                if seen_by_ocr(text, secret):
                    result.found(f"{name} (OCR)", secret)
    return result
