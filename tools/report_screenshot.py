"""Render the top of an HTML report to PNG with headless Chromium (what a stakeholder sees first).

Usage: python tools/report_screenshot.py reports/report.html reports/report-top.png
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    # This machine has no network: without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("report_screenshot: no Chromium found (set CHROMIUM=/path/to/chromium)")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    report, png = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,1000",
            f"--screenshot={png}",
            report.as_uri(),
        ]
        subprocess.run(command, capture_output=True, timeout=60, check=False)
    if not png.is_file():
        sys.exit(f"report_screenshot: Chromium wrote no {png}")
    print(f"screenshot: {png}")


if __name__ == "__main__":
    main()
