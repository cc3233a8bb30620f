#!/usr/bin/env bash
# What one suite needs to run, and no more (`make install SUITE=smoke`): the venv with the core
# install plus the suite's extra, the system tools it calls, and a Chromium where it drives one.
# `make setup` stays the full set-up for the project's own tests.
set -euo pipefail

suite="${1:-}"
venv="${VENV:-.venv}"
case "$suite" in
  smoke) extra="" packages="" browser=yes ;;
  features) extra="[features]" packages="xmlsec1" browser=yes ;;  # xmlsec1: e-Faktura signatures
  perf) extra="[perf]" packages="" browser=no ;;
  monitoring) extra="" packages="prometheus prometheus-alertmanager" browser=no ;;  # promtool, amtool check the rules and routing
  daily) extra="[ops]" packages="" browser=no ;;  # boto3: backups in a bucket
  weekly) extra="[ops]" packages="postgresql mariadb-server" browser=no ;;  # the restore drill's servers (a PostgreSQL or a MySQL dump)
  *) echo "install: SUITE must be one of smoke, features, perf, monitoring, daily, weekly (got '$suite')" >&2; exit 2 ;;
esac

if [ -n "$packages" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
  else
    echo "install: no apt-get; install $packages with your package manager" >&2
  fi
fi

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check ".$extra"

# Debian's Chromium where it is installed (the plugin looks there first); elsewhere (Ubuntu
# ships Chromium only as a snap) Playwright's own, which the plugin finds next.
if [ "$browser" = yes ] && ! "$venv/bin/python" -c '
import sys
from pathlib import Path
from facturino_verify.config.features import CHROMIUM_CANDIDATES
sys.exit(not any(Path(c).is_file() for c in CHROMIUM_CANDIDATES))'; then
  "$venv/bin/python" -m playwright install --with-deps chromium
fi
echo "install: $suite ready ($venv)"
