#!/usr/bin/env bash
# MetricFlow's `mf` for this project, wherever dbt wrote its artefacts.
#
# `mf` reads the semantic manifest from <project>/target/ only and ignores
# DBT_TARGET_PATH. When DBT_TARGET_PATH points elsewhere (as in `make test`
# and the pytest suite), this runs `mf` on a throw-away project folder whose
# dbt_project.yml is the project's and whose target/ is DBT_TARGET_PATH;
# otherwise it runs `mf` in the project folder. Arguments go to `mf`, e.g.
#   scripts/mf.sh validate-configs
#   scripts/mf.sh query --saved-query headline_kpis_h1_2025
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mf="$root/.venv/bin/mf"
[[ -x "$mf" ]] || mf="$(command -v mf)"
export DBT_PROFILES_DIR="${DBT_PROFILES_DIR:-$root}"

target="${DBT_TARGET_PATH:-$root/target}"
if [[ "$(cd "$target" 2>/dev/null && pwd)" == "$root/target" ]]; then
    cd "$root"
    exec "$mf" "$@"
fi

project="$(mktemp -d "${TMPDIR:-/tmp}/redcat-mf.XXXXXX")"
trap 'rm -rf "$project"' EXIT
ln -s "$root/dbt_project.yml" "$project/dbt_project.yml"
ln -s "$(cd "$target" && pwd)" "$project/target"
cd "$project"
DBT_PROJECT_DIR="$project" "$mf" "$@"
