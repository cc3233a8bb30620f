#!/usr/bin/env bash
# What verify.yml runs for the event that started it: the suite (smoke, daily, weekly) and the
# environment file (environments/<name>.toml). Written to $GITHUB_OUTPUT (stdout without it).
#
# Inputs decide first: a called workflow (workflow_call) sees its caller's event in
# github.event_name, so only its inputs say it was called. Without inputs: a successful
# deployment_status verifies the environment the deployment names; a schedule runs the daily
# or the weekly checks against prod.
set -euo pipefail

DAILY_CRON="17 5 * * *"
WEEKLY_CRON="43 5 * * 1"

fail() { echo "::error::$1" >&2; exit 1; }

# A deployment's environment name (Railway/GitHub: "production", "Production", "staging")
# as the name of an environment file.
environment_file_name() {
  local name
  name="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')"
  case "$name" in
    production | prod) echo prod ;;
    *) echo "$name" ;;
  esac
}

suite="" environment=""
if [ -n "${INPUT_SUITE:-}" ]; then
  suite="$INPUT_SUITE"
  environment="${INPUT_ENVIRONMENT:-prod}"
elif [ "${EVENT_NAME:-}" = "deployment_status" ]; then
  [ "${DEPLOYMENT_STATE:-}" = "success" ] || fail "deployment_status '${DEPLOYMENT_STATE:-}': only a successful deployment is verified"
  suite="smoke"
  environment="$(environment_file_name "${DEPLOYMENT_ENVIRONMENT:-}")"
elif [ "${EVENT_NAME:-}" = "schedule" ]; then
  case "${SCHEDULE:-}" in
    "$DAILY_CRON") suite="daily" ;;
    "$WEEKLY_CRON") suite="weekly" ;;
    *) fail "schedule '${SCHEDULE:-}' is neither the daily ($DAILY_CRON) nor the weekly ($WEEKLY_CRON) one" ;;
  esac
  environment="prod"
else
  fail "event '${EVENT_NAME:-}' without inputs: call the workflow with 'suite' and 'environment'"
fi

case "$suite" in
  smoke | daily | weekly) ;;
  *) fail "suite '$suite' is not one of smoke, daily, weekly" ;;
esac
[[ "$environment" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || fail "environment '$environment' is not an environment file name (environments/<name>.toml)"

out="${GITHUB_OUTPUT:-/dev/stdout}"
{
  echo "suite=$suite"
  echo "environment=$environment"
} >> "$out"
