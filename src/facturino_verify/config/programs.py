"""Where a configured command's program is, checked before any check runs: a command the
operator names that cannot start is a usage error, never a failed check."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def find_program(name: str, cwd: Path) -> Path | None:
    """Where ``name`` is: a path (relative ones start at ``cwd``, where the command runs) or a
    name on PATH; None when there is no executable file there."""
    if "/" in name:
        path = Path(name) if Path(name).is_absolute() else cwd / name
        return path if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which(name)
    return Path(found) if found else None
