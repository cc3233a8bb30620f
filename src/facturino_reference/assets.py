"""The front-end build: hashed files under public/build/assets plus a Vite-style manifest."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from importlib import resources

from facturino_reference.paths import HomeLayout

ENTRY = "resources/scripts/main.js"


def _hashed(name: str, content: bytes) -> str:
    stem, _, ext = name.rpartition(".")
    return f"assets/{stem}-{hashlib.sha256(content).hexdigest()[:8]}.{ext}"


def build(layout: HomeLayout, include_js: bool = True) -> dict[str, str]:
    """Write the build; `include_js=False` is a deploy that lost its JS bundle."""
    static = resources.files("facturino_reference.web").joinpath("static")
    js = static.joinpath("main.js").read_bytes()
    css = static.joinpath("main.css").read_bytes()
    files = {_hashed("main.js", js): js, _hashed("main.css", css): css}
    (layout.public_build / "assets").mkdir(parents=True, exist_ok=True)
    js_name, css_name = list(files)
    for name, content in files.items():
        if name == js_name and not include_js:
            continue
        (layout.public_build / name).write_bytes(content)
    manifest = {ENTRY: {"file": js_name, "css": [css_name], "isEntry": True, "src": ENTRY}}
    (layout.public_build / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (layout.public / "favicon.ico").write_bytes(favicon())
    (layout.public / "robots.txt").write_text("User-agent: *\nDisallow: /admin\n")
    return {"js": js_name, "css": css_name}


def _png(size: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def favicon() -> bytes:
    """A 16x16 brand-blue icon: an ICO container holding one PNG image."""
    image = _png(16, (11, 95, 255))
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


def read_manifest(layout: HomeLayout) -> dict[str, str]:
    """`{"js": "assets/main-<hash>.js", "css": ...}` as the Blade @vite directive resolves it."""
    data = json.loads((layout.public_build / "manifest.json").read_text())
    entry = data[ENTRY]
    return {"js": entry["file"], "css": entry["css"][0]}
