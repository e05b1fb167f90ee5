#!/usr/bin/env bash
# The test suite: build the committed seeds into a temporary warehouse, then
# pytest, sqlfluff and ruff. Stops at the first failing step; prints each
# step's name and wall time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

scripts/bootstrap.sh

# Debian's Chromium for the UI tests, Dagster and the dashboard (Playwright drives it; its own
# browser download, `playwright install`, does not work offline).
if [[ ! -x /usr/bin/chromium ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test: installing Debian's chromium for the Dagster UI test"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "test: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" \
            "the Dagster UI test is skipped outside CI and fails in CI" >&2
    fi
fi

# Java 17 for the Spark tests (dbt-spark's session method runs Spark inside dbt's
# process; tests/python/test_spark_engine.py).
if ! command -v java >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test: installing Debian's openjdk-17-jre-headless for the Spark tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    else
        echo "test: java is missing and cannot be installed here (needs root and apt-get);" \
            "the Spark tests are skipped outside CI and fail in CI" >&2
    fi
fi

# Debian's PostgreSQL 15 for the server-warehouse tests, which start a private
# cluster of their own (scripts/postgres.sh; tests/python/test_server_warehouse.py).
if ! scripts/postgres.sh install; then
    echo "test: the server-warehouse tests are skipped outside CI and fail in CI" >&2
fi

export GX_ANALYTICS_ENABLED=false
export DO_NOT_TRACK=1
export PATH="$root/.venv/bin:$PATH"

# Everything the run writes stays in one temporary folder, so several test
# runs (and a real warehouse) can coexist.
work="$(mktemp -d "${TMPDIR:-/tmp}/redcat-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export REDCAT_DUCKDB_PATH="$work/warehouse.duckdb"
export DBT_TARGET_PATH="$work/target"
export DBT_LOG_PATH="$work/logs"
export DBT_PROFILES_DIR="$root"

total_start=$EPOCHREALTIME

step() {
    local name="$1"
    shift
    echo
    echo "==> $name: $*"
    local start=$EPOCHREALTIME
    local status=0
    "$@" || status=$?
    echo
    local seconds
    seconds="$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
    if [[ $status -ne 0 ]]; then
        echo "==> FAILED: $name (exit code $status) after ${seconds} s"
        exit "$status"
    fi
    echo "==> ok: $name in ${seconds} s"
}

step "dbt build (committed seeds)" dbt build --project-dir "$root" --profiles-dir "$root"
step "mf validate-configs (semantic layer)" scripts/mf.sh validate-configs
step "pytest" pytest
step "sqlfluff lint" sqlfluff lint models macros tests
step "ruff check" ruff check .
step "ruff format --check" ruff format --check .

seconds="$(awk -v a="$total_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
echo
echo "==> all steps passed in ${seconds} s"
