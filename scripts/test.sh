#!/usr/bin/env bash
# The test suite, step by step: set-up, system packages, ruff, then side by side (each
# is single-threaded) mypy, sqlfluff, and the committed seeds built into a temporary
# warehouse followed by the semantic layer's validation; then pytest. Stops at the
# first failing step. Prints each step's name when it starts and its wall time when it
# ends, and a table of every step's time and the total last.
#
#   scripts/test.sh          everything (`make test`, CI)
#   scripts/test.sh fast     set-up, the linters, mypy and the fast tier of pytest
#                            (`-m "not slow and not ui"`; `make test-fast`)
#
# pytest prints one line per test as it runs (`-v`), then the wall and CPU time of each
# test module and the 15 slowest tests. Extra pytest arguments:
# PYTEST_ARGS='-x -k load' make test; the number of pytest-xdist workers:
# REDCAT_TEST_WORKERS (default: one per core).
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

# step_ended NAME SECONDS STATUS: the step's line in the table, and ok or FAILED
step_ended() {
    local name="$1" seconds="$2" status="$3"
    summary+=("$(printf '%-40s %8s s' "$name" "$seconds")")
    if [[ $status -ne 0 ]]; then
        echo "==> FAILED: $name (exit code $status) after ${seconds} s"
    else
        echo "==> ok: $name in ${seconds} s (total so far $(seconds_since "$total_start") s)"
    fi
}

step() {
    local name="$1"
    shift
    echo
    echo "==> $name: $*"
    local start=$EPOCHREALTIME
    local status=0
    "$@" || status=$?
    step_ended "$name" "$(seconds_since "$start")" "$status"
    if [[ $status -ne 0 ]]; then
        summarise
        exit "$status"
    fi
}

# lane NAME COMMAND...: start COMMAND in the background, its output to a log of
# its own; finish_lanes prints each lane's log and time as it ends (looking once a
# second), adds them to the table, and stops if any failed.
lanes=()
lane() {
    local name="$1"
    shift
    local file
    file="$work/lane-${#lanes[@]}"
    lanes+=("$file")
    echo
    echo "==> $name: started beside the other checks: $*"
    (
        local start=$EPOCHREALTIME status=0
        "$@" >"$file.log" 2>&1 || status=$?
        printf '%s\t%s\t%s\n' "$name" "$(seconds_since "$start")" "$status" >"$file.part"
        mv "$file.part" "$file.done"
    ) &
}

finish_lanes() {
    local pending=("${lanes[@]}") failed=0 file name seconds status
    while [[ ${#pending[@]} -gt 0 ]]; do
        local still=()
        for file in "${pending[@]}"; do
            if [[ ! -f "$file.done" ]]; then
                still+=("$file")
                continue
            fi
            IFS=$'\t' read -r name seconds status <"$file.done"
            echo
            echo "==> $name: its output"
            cat "$file.log"
            step_ended "$name" "$seconds" "$status"
            if [[ $status -ne 0 ]]; then
                failed=$status
            fi
        done
        pending=("${still[@]}")
        if [[ ${#pending[@]} -gt 0 ]]; then
            sleep 1
        fi
    done
    wait
    lanes=()
    if [[ $failed -ne 0 ]]; then
        summarise
        exit "$failed"
    fi
}

# -v: one line per test as it runs, so the output says which module is running;
# the wall and CPU time of each module and the 15 slowest tests follow the results.
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
if [[ "$tier" == all ]]; then
    # single-threaded checks that do not depend on each other, side by side
    lane "mypy --strict (src, orchestration)" mypy
    # sqlfluff's dbt templater compiles the project: a target folder of its own
    lane "sqlfluff lint" env DBT_TARGET_PATH="$work/target-sqlfluff" \
        sqlfluff lint models macros tests
    lane "seeds: dbt build, mf validate-configs" \
        bash -c 'dbt build --project-dir "$1" --profiles-dir "$1" && scripts/mf.sh validate-configs' \
        -- "$root"
    finish_lanes
    step "pytest (every test)" pytest "${pytest_args[@]}"
else
    step "mypy --strict (src, orchestration)" mypy
    step "pytest (fast tier)" pytest -m "not slow and not ui" "${pytest_args[@]}"
fi

summarise
echo
echo "==> all steps passed in $(seconds_since "$total_start") s"
