"""The reference's front-end build: Vite's manifest shape, hashed chunks whose imports name
files that exist, what `@vite` expands to, and the deploy that lost its entry chunk."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from facturino_reference import assets
from facturino_reference.paths import HomeLayout

IMPORTED = re.compile(r"""(?:from\s+|import\s*\(\s*|import\s+)"\./([\w.-]+)\"""")


def _built(tmp_path: Path, include_js: bool = True) -> tuple[HomeLayout, dict[str, Any]]:
    layout = HomeLayout(tmp_path)
    assets.build(layout, include_js=include_js)
    return layout, json.loads((layout.public_build / "manifest.json").read_text())


def test_manifest_has_the_entry_its_vendor_chunks_and_lazy_pages(tmp_path: Path) -> None:
    _, manifest = _built(tmp_path)
    entry = manifest[assets.ENTRY]
    assert entry["isEntry"] is True and re.fullmatch(r"assets/main-[0-9a-f]{8}\.js", entry["file"])
    assert [manifest[key]["name"] for key in entry["imports"]] == list(assets.VENDORS)
    assert entry["dynamicImports"] == list(assets.PAGES.values())
    assert all(manifest[key]["isDynamicEntry"] for key in entry["dynamicImports"])
    assert entry["css"] and entry["css"][0].endswith(".css")


def test_every_chunk_imports_files_of_the_build(tmp_path: Path) -> None:
    layout, manifest = _built(tmp_path)
    folder = layout.public_build / "assets"
    for chunk in manifest.values():
        text = (layout.public_build / chunk["file"]).read_text()
        for name in IMPORTED.findall(text):
            assert (folder / name).is_file(), f"{chunk['file']} imports a missing {name}"
        assert "./vendor-core.js" not in text  # every import names its hashed file


def test_vite_tags_preload_the_entry_and_its_vendors(tmp_path: Path) -> None:
    layout, manifest = _built(tmp_path)
    tags = assets.vite_tags(layout)
    entry = manifest[assets.ENTRY]
    assert tags.entry == entry["file"] and tags.stylesheets == tuple(entry["css"])
    assert tags.preloads == (entry["file"], *(manifest[k]["file"] for k in entry["imports"]))


def test_a_deploy_without_its_entry_chunk_keeps_everything_else(tmp_path: Path) -> None:
    layout, manifest = _built(tmp_path, include_js=False)
    assert not (layout.public_build / manifest[assets.ENTRY]["file"]).exists()
    others = [c["file"] for key, c in manifest.items() if key != assets.ENTRY]
    assert all((layout.public_build / file).is_file() for file in others)


def test_public_holds_the_service_worker_web_manifest_and_favicons(tmp_path: Path) -> None:
    layout, _ = _built(tmp_path)
    worker = (layout.public / "service-worker.js").read_text()
    assert "/api/" in worker and "networkFirst" in worker and "cacheFirst" in worker
    assert json.loads((layout.public / "manifest.json").read_text())["name"] == "Facturino"
    for name in ("favicon.ico", "favicon-16x16.png", "favicon-32x32.png", "apple-touch-icon.png"):
        assert (layout.public / "favicons" / name).is_file()
