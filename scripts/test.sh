#!/usr/bin/env bash
# The test suite, step by step: set-up, system packages, the linters and the type
# checker, the committed seeds built into a temporary warehouse, the semantic layer,
# then pytest. Stops at the first failing step. Prints each step's name when it starts
# and its wall time when it ends, and a table of every step's time and the total last.
#
#   scripts/test.sh          everything (`make test`, CI)
#   scripts/test.sh fast     set-up, the linters, mypy and the fast tier of pytest
#                            (`-m "not slow and not ui"`; `make test-fast`)
#
# pytest prints one line per test as it runs (`-v`), then the time of each test module
# and the 15 slowest tests. Extra pytest arguments: PYTEST_ARGS='-x -k load' make test;
# the number of pytest-xdist workers: REDCAT_TEST_WORKERS (default: one per core).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

tier="${1:-all}"
case "$tier" in
all | fast) ;;
*)
    echo "usage: scripts/test.sh [all|fast]" >&2
    exit 2
    ;;
esac

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

seconds_since() {
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

total_start=$EPOCHREALTIME
summary=()

summarise() {
    echo
    echo "==> step times"
    local line
    for line in "${summary[@]}"; do
        echo "    $line"
    done
}

step() {
    local name="$1"
    shift
    echo
    echo "==> $name: $*"
    local start=$EPOCHREALTIME
    local status=0
    "$@" || status=$?
    local seconds
    seconds="$(seconds_since "$start")"
    summary+=("$(printf '%-40s %8s s' "$name" "$seconds")")
    if [[ $status -ne 0 ]]; then
        echo "==> FAILED: $name (exit code $status) after ${seconds} s"
        summarise
        exit "$status"
    fi
    echo "==> ok: $name in ${seconds} s (total so far $(seconds_since "$total_start") s)"
}

# -v: one line per test as it runs, so the output says which module is running;
# the time of each module and the 15 slowest tests follow the results.
# pytest-xdist runs whole modules (their module fixtures built once) on one
# worker per core, the longest modules first (tests/python/conftest.py);
# REDCAT_TEST_WORKERS=0 runs everything in one process.
read -r -a pytest_args <<<"${PYTEST_ARGS:-}"
pytest_args=(
    -v --durations=15
    -n "${REDCAT_TEST_WORKERS:-auto}" --dist loadfile --no-loadscope-reorder
    "${pytest_args[@]}"
)

step "set-up (scripts/bootstrap.sh)" scripts/bootstrap.sh
if [[ "$tier" == all ]]; then
    # chromium (the UI tests) and postgresql-15 (the server-warehouse tests)
    step "system packages" scripts/system-packages.sh
fi
step "ruff check" ruff check .
step "ruff format --check" ruff format --check .
step "mypy --strict (src, orchestration)" mypy
if [[ "$tier" == all ]]; then
    step "sqlfluff lint" sqlfluff lint models macros tests
    step "dbt build (committed seeds)" dbt build --project-dir "$root" --profiles-dir "$root"
    step "mf validate-configs (semantic layer)" scripts/mf.sh validate-configs
    step "pytest (every test)" pytest "${pytest_args[@]}"
else
    step "pytest (fast tier)" pytest -m "not slow and not ui" "${pytest_args[@]}"
fi

summarise
echo
echo "==> all steps passed in $(seconds_since "$total_start") s"
