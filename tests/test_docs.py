"""The documentation stays true: the configuration reference is what the models accept, every
relative link resolves, and the README stays a short front page."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "config_reference", ROOT / "tools/config_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_configuration_reference_is_generated_from_the_models() -> None:
    generated = _generator().render()
    written = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    assert written == generated, "run: .venv/bin/python tools/config_reference.py (make docs)"


def test_every_key_the_loader_accepts_is_documented_with_its_meaning() -> None:
    generator = _generator()
    rows = 0
    for path, cls in generator.section_classes(generator.Environment):
        for key in generator.keys(cls):
            assert key.meaning, f"[{path}] {key.name} has no description in the model"
            rows += 1
    assert rows > 150
    text = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    for section in ("target", "database", "redis", "queue", "accounts.NAME", "features.banking"):
        assert f"## `[{section}]`" in text


def test_every_relative_link_resolves() -> None:
    for doc in DOCS:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links to {target}"


def test_the_readme_is_a_front_page_linking_every_doc() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) < 10_000, "reference material belongs in docs/"
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{doc.name})" in readme, f"the README does not link docs/{doc.name}"
