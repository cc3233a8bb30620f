"""`python -m facturino_reference.nextartisan RELEASE_DIR ARGS…`: the next release's artisan
(release.py). Its own module, imported by nothing, so `-m` runs it without a second import of
a module the package already loaded."""

from __future__ import annotations

import sys

from facturino_reference.release import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
