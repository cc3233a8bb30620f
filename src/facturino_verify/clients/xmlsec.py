"""``xmlsec1 --verify``: the second, independent verifier of e-Faktura signatures."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ProtocolFailure, TimedOut


@dataclass(frozen=True)
class XmlsecResult:
    returncode: int
    output: str


def xmlsec_verify(
    content: bytes, trusted_pem: Path, binary: str = "xmlsec1", timeout: float = 20.0
) -> XmlsecResult:
    """Verify the exact bytes with ``xmlsec1 --verify --trusted-pem ANCHOR`` (exit 0 = valid).

    ``--trusted-pem`` makes xmlsec1 build the chain from the embedded certificate to the anchor;
    plain ``--verify`` would refuse any certificate it cannot chain."""
    found = shutil.which(binary)
    if found is None:
        raise ProtocolFailure(
            "xmlsec1", f"{binary!r} is not installed", "apt-get install xmlsec1 (Makefile)"
        )
    with tempfile.TemporaryDirectory(prefix="facturino-xmlsec-") as tmp:
        document = Path(tmp) / "signed.xml"
        document.write_bytes(content)
        command = [found, "--verify", "--trusted-pem", str(trusted_pem), str(document)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise TimedOut("xmlsec1 --verify", f"no verdict within {timeout:g} s") from None
    return XmlsecResult(done.returncode, (done.stdout + done.stderr).strip())
