"""facturino-verify: post-deployment verification for Facturino.

Layers (see ARCHITECTURE.md): ``config`` → ``clients`` → ``checks`` → ``runs`` → ``plugin``,
with ``verdict`` → ``report`` beside them; only ``plugin`` imports pytest (tests/test_layers.py).
"""

from __future__ import annotations

__version__ = "0.1.0"
