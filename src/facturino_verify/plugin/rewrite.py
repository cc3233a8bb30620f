"""Only the plugin's own modules and the tests go through pytest's assertion rewriting.

pytest marks every module of a distribution that has a ``pytest11`` entry point for rewriting,
so each run re-parsed and recompiled the whole package from source wherever the rewritten code
cannot be cached (``PYTHONDONTWRITEBYTECODE``, a read-only install, a fresh CI runner). And on
CPython 3.11 rewriting is not thread-safe ("AST constructor recursion depth mismatch",
pytest-dev/pytest#10763, python/cpython#106905), while the drivers and the MySQL client are
imported where a probe thread first needs them. The package asserts nothing a rewritten message
would explain (its checks raise ``CheckFailed``), so Python imports it as it imports any library;
the plugin's modules, which pytest marks one by one as it registers them, and the suites' tests
are still rewritten.

Registered first of the plugin's modules, before any of them imports the rest of the package.
"""

from __future__ import annotations

import sys

PACKAGE = "facturino_verify"
# Rewritten wherever first imported (plugin modules import each other before pytest registers
# them, and pytest warns about a marked module imported unrewritten).
STILL_REWRITTEN = "facturino_verify.plugin"


def unmark(package: str, keep: str) -> bool:
    """Take ``package`` but ``keep`` off pytest's list of modules to rewrite; True when it was
    on it. The list is pytest's private state: where it is not found, rewriting stays as pytest
    has it."""
    found = False
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        decided = getattr(finder, "_marked_for_rewrite_cache", None)
        if isinstance(marked, set) and isinstance(decided, dict) and package in marked:
            found = True
            marked.discard(package)
            marked.add(keep)
            decided.clear()  # decisions already taken for the package's modules
    return found


unmark(PACKAGE, STILL_REWRITTEN)
