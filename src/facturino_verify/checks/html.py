"""A tiny HTML scanner: enough to read the SPA shell (its assets and inline boot script)
without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parents: tuple[str, ...]) -> None:
        self.tag, self.attrs, self.parents = tag, attrs, parents

    def inside(self, tag: str, **attrs: str) -> bool:
        """True when an ancestor ``tag#id`` matches (parents are recorded as ``tag#id``)."""
        wanted = f"{tag}#{attrs['id']}" if "id" in attrs else tag
        return any(p == wanted or p.startswith(wanted + "#") for p in self.parents)


class _Scanner(HTMLParser):
    VOID = frozenset(
        {"input", "meta", "link", "img", "br", "hr", "source", "area", "base", "col", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[str] = []
        self.title = ""
        self._in_title = False
        self.inline_scripts: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append(Element(tag, values, tuple(self._open)))
        if tag not in self.VOID:
            self._open.append(f"{tag}#{values['id']}" if "id" in values else tag)
        self._in_title = tag == "title"
        if tag == "script" and not values.get("src"):
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].split("#")[0] == tag:
                del self._open[index:]
                break
        self._in_title = False
        if tag == "script" and self._script is not None:
            self.inline_scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._script is not None:
            self._script.append(data)


class Page:
    """The elements of an HTML document, queryable by tag and attributes."""

    def __init__(self, html: str) -> None:
        scanner = _Scanner()
        scanner.feed(html)
        self.elements = scanner.elements
        self.title = scanner.title.strip()
        self.inline_scripts = scanner.inline_scripts

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def asset_urls(self) -> list[str]:
        """``src`` of scripts and ``href`` of stylesheets, modulepreloads and style/script
        preloads, each once, in document order."""
        urls = [e.attrs["src"] for e in self.find("script") if e.attrs.get("src")]
        urls += [
            e.attrs["href"]
            for e in self.find("link")
            if e.attrs.get("href")
            and (
                e.attrs.get("rel") in ("stylesheet", "modulepreload")
                or (e.attrs.get("rel") == "preload" and e.attrs.get("as") in ("style", "script"))
            )
        ]
        return list(dict.fromkeys(urls))

    def module_scripts(self) -> list[str]:
        """``src`` of ``<script type="module">`` elements."""
        return [
            e.attrs["src"]
            for e in self.find("script")
            if e.attrs.get("src") and e.attrs.get("type") == "module"
        ]
