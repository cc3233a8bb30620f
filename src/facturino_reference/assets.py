"""The front-end build: a Vite-style `public/build` (hashed chunks plus `manifest.json`) of the
reference's own small SPA (`web/static/spa/`, vanilla JS modules), the PWA service worker and
web manifest, and the favicons.

Like a Vite build, the entry chunk `resources/scripts/main.js` imports vendor chunks (which the
shell modulepreloads) and loads one chunk per layout lazily; every chunk is named after a hash
of its content, and the imports inside a chunk name the hashed files.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from facturino_reference.paths import HomeLayout

ENTRY = "resources/scripts/main.js"
VENDORS = ("vendor-core", "vendor-i18n", "vendor-validation", "vendor-ui")
# Lazily loaded page chunks, with the source path the manifest names them by.
PAGES = {
    "pages-auth": "resources/scripts/pages/auth.js",
    "pages-admin": "resources/scripts/pages/admin.js",
    "pages-partner": "resources/scripts/pages/partner.js",
}
_IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*|import\s+)"\./([\w-]+)\.js\"""")


@dataclass(frozen=True)
class Chunk:
    name: str  # source name (vendor-core)
    file: str  # "assets/vendor-core-<hash>.js"
    content: bytes
    imports: tuple[str, ...]  # names imported statically
    dynamic: tuple[str, ...]  # names imported with import()


def _hashed(name: str, ext: str, content: bytes) -> str:
    return f"assets/{name}-{hashlib.sha256(content).hexdigest()[:8]}.{ext}"


def _chunk(source: Traversable, name: str, built: dict[str, Chunk]) -> Chunk:
    """One module with its relative imports pointed at the hashed files built before it."""
    text = source.joinpath(f"{name}.js").read_text()
    static: list[str] = []
    dynamic: list[str] = []
    for match in _IMPORT.finditer(text):
        (dynamic if "(" in match.group(0) else static).append(match.group(1))

    def rename(match: re.Match[str]) -> str:
        target = built[match.group(1)].file.removeprefix("assets/")
        return match.group(0).replace(f"./{match.group(1)}.js", f"./{target}")

    content = _IMPORT.sub(rename, text).encode()
    return Chunk(name, _hashed(name, "js", content), content, tuple(static), tuple(dynamic))


def compile_spa() -> tuple[dict[str, Chunk], str, bytes]:
    """Every chunk (vendors, pages, then the entry that imports them) and the stylesheet."""
    source = resources.files("facturino_reference.web").joinpath("static", "spa")
    built: dict[str, Chunk] = {}
    for name in (*VENDORS, *PAGES, "main"):
        built[name] = _chunk(source, name, built)
    css = source.joinpath("main.css").read_bytes()
    return built, _hashed("main", "css", css), css


def _key(chunk: Chunk) -> str:
    if chunk.name == "main":
        return ENTRY
    return PAGES.get(chunk.name, "_" + chunk.file.removeprefix("assets/"))


def manifest(chunks: dict[str, Chunk], css_file: str) -> dict[str, dict[str, object]]:
    """Vite's manifest.json: the entry, its vendor imports and its lazily loaded pages."""
    entries: dict[str, dict[str, object]] = {}
    for chunk in chunks.values():
        entry: dict[str, object] = {"file": chunk.file, "name": chunk.name}
        if chunk.name == "main" or chunk.name in PAGES:
            entry["src"] = _key(chunk)
            entry["isEntry" if chunk.name == "main" else "isDynamicEntry"] = True
        if chunk.imports:
            entry["imports"] = [_key(chunks[name]) for name in chunk.imports]
        if chunk.dynamic:
            entry["dynamicImports"] = [_key(chunks[name]) for name in chunk.dynamic]
        if chunk.name == "main":
            entry["css"] = [css_file]
        entries[_key(chunk)] = entry
    return entries


def build(layout: HomeLayout, include_js: bool = True) -> dict[str, str]:
    """Write the build; `include_js=False` is a deploy that lost its entry chunk."""
    chunks, css_file, css = compile_spa()
    assets_dir = layout.public_build / "assets"
    assets_dir.mkdir(parents=True, exist_ok=True)
    for chunk in chunks.values():
        if chunk.name == "main" and not include_js:
            continue
        (layout.public_build / chunk.file).write_bytes(chunk.content)
    (layout.public_build / css_file).write_bytes(css)
    (layout.public_build / "manifest.json").write_text(
        json.dumps(manifest(chunks, css_file), indent=2)
    )
    _write_public(layout)
    return {"js": chunks["main"].file, "css": css_file}


def _write_public(layout: HomeLayout) -> None:
    """What public/ holds beside the build: favicons, the web manifest, the service worker."""
    static = resources.files("facturino_reference.web").joinpath("static")
    favicons = layout.public / "favicons"
    favicons.mkdir(parents=True, exist_ok=True)
    icon = favicon()
    (layout.public / "favicon.ico").write_bytes(icon)
    (favicons / "favicon.ico").write_bytes(icon)
    for size in (16, 32, 180, 192, 512):
        name = "apple-touch-icon.png" if size == 180 else f"favicon-{size}x{size}.png"
        if size >= 192:
            name = f"android-chrome-{size}x{size}.png"
        (favicons / name).write_bytes(_png(size, (11, 95, 255)))
    (layout.public / "manifest.json").write_text(json.dumps(WEB_MANIFEST, indent=2))
    (layout.public / "service-worker.js").write_bytes(
        static.joinpath("service-worker.js").read_bytes()
    )
    (layout.public / "robots.txt").write_text("User-agent: *\nDisallow: /admin\n")


WEB_MANIFEST = {
    "name": "Facturino",
    "short_name": "Facturino",
    "start_url": "/admin/dashboard",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#1f2937",
    "icons": [
        {
            "src": "/favicons/android-chrome-192x192.png?v=3",
            "sizes": "192x192",
            "type": "image/png",
        },
        {
            "src": "/favicons/android-chrome-512x512.png?v=3",
            "sizes": "512x512",
            "type": "image/png",
        },
    ],
}


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


@dataclass(frozen=True)
class ViteTags:
    """What `@vite('resources/scripts/main.js')` expands to, from the build's manifest."""

    stylesheets: tuple[str, ...]  # paths under /build/
    preloads: tuple[str, ...]  # the entry and its static imports, recursively
    entry: str


def vite_tags(layout: HomeLayout) -> ViteTags:
    data = json.loads((layout.public_build / "manifest.json").read_text())
    entry = data[ENTRY]
    seen: list[str] = []

    def walk(key: str) -> None:
        for imported in data[key].get("imports", []):
            if data[imported]["file"] not in seen:
                seen.append(data[imported]["file"])
                walk(imported)

    walk(ENTRY)
    return ViteTags(tuple(entry.get("css", [])), (entry["file"], *seen), entry["file"])
