"""The front-end build: hashed files under public/build/assets plus a Vite-style manifest."""

from __future__ import annotations

import hashlib
import json
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
    return {"js": js_name, "css": css_name}


def read_manifest(layout: HomeLayout) -> dict[str, str]:
    """`{"js": "assets/main-<hash>.js", "css": ...}` as the Blade @vite directive resolves it."""
    data = json.loads((layout.public_build / "manifest.json").read_text())
    entry = data[ENTRY]
    return {"js": entry["file"], "css": entry["css"][0]}
