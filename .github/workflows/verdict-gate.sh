#!/usr/bin/env bash
# Turns facturino-verify's exit code into the job's result (codes documented in the README).
code="${1:-}"
case "$code" in
  0)  echo "GO: every selected check passed" ;;
  10) echo "::warning::DEGRADED: only warning-level checks failed (see reports/summary.json)" ;;
  11) echo "::error::BLOCKED: a major check failed; do not promote this release"; exit 1 ;;
  12) echo "::error::ROLLBACK: a critical check failed; follow the runbook scenario in the report"; exit 1 ;;
  13) echo "::error::INCONCLUSIVE: nothing that matters was checked"; exit 1 ;;
  4)  echo "::error::usage error: fix the environment file or options"; exit 1 ;;
  *)  echo "::error::verification did not finish (exit code '$code')"; exit 1 ;;
esac
