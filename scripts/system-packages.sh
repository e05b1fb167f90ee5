#!/usr/bin/env bash
# The Debian packages the test suite needs beyond Python (`make system-packages`;
# scripts/test.sh runs it as its second step, after scripts/bootstrap.sh):
#
#   chromium       headless browser for the UI tests (tests/python/test_dagster_ui.py,
#                  test_dashboard_ui.py). Playwright drives Debian's /usr/bin/chromium;
#                  Playwright's own browser download (`playwright install`) needs a
#                  host that is not reachable here.
#   postgresql-15  the server-warehouse tests start a private cluster of their own
#                  (scripts/postgres.sh; tests/python/test_server_warehouse.py).
#   openjdk-17-jre-headless
#                  Java for Spark: dbt-spark's session method runs Spark inside dbt's
#                  process (tests/python/test_spark_engine.py, python -m redcat.spark).
#
# Installs only what is missing, says so on one line per package, and needs root and
# apt-get to install (as CI has). Without them it says what is missing and exits 0:
# the tests that need a missing package are skipped with that reason outside CI and
# fail in CI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "system-packages: $*"; }

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x "${REDCAT_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ]] || missing+=(postgresql-15)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)

if [[ ${#missing[@]} -eq 0 ]]; then
    say "chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), postgresql-15 and java are installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}; installing needs root and apt-get" \
        "(apt-get install -y ${missing[*]}); the tests that need them are skipped outside CI" >&2
    exit 0
fi

started=$SECONDS
for package in "${missing[@]}"; do
    say "installing $package from Debian packages ..."
done
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    >"${TMPDIR:-/tmp}/redcat-apt.log" 2>&1 || {
    tail -20 "${TMPDIR:-/tmp}/redcat-apt.log" >&2
    say "apt-get install ${missing[*]} failed (whole output: ${TMPDIR:-/tmp}/redcat-apt.log)" >&2
    exit 1
}
say "installed ${missing[*]} in $((SECONDS - started)) s"
