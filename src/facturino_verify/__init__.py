"""facturino-verify: post-deployment verification for Facturino.

Layers (see ARCHITECTURE.md): ``config`` → ``clients`` → ``checks`` → ``plugin``.
"""

from __future__ import annotations

__version__ = "0.1.0"
