"""`python -m facturino_reference` is the `facturino-reference` command."""

from __future__ import annotations

import sys

from facturino_reference.cli import main

sys.exit(main())
