#!/usr/bin/env bash
# Set up the project's virtualenv (.venv) with the pinned stack.
#
# Idempotent and quick when nothing changed: the install is skipped while the
# stamp file .venv/.redcat-bootstrap holds the hash of pyproject.toml and
# constraints.txt. Needs python3 (3.11) on PATH.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export GX_ANALYTICS_ENABLED=false
export DO_NOT_TRACK=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

venv=.venv
stamp="$venv/.redcat-bootstrap"

if ! command -v python3 >/dev/null 2>&1; then
    echo "bootstrap: python3 not found on PATH; redcat needs Python 3.11" >&2
    exit 1
fi
version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.11" ]]; then
    echo "bootstrap: python3 on PATH is Python $version ($(command -v python3)); redcat needs Python 3.11" >&2
    exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "bootstrap: creating $venv"
    python3 -m venv "$venv"
fi
venv_version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$venv_version" != "3.11" ]]; then
    echo "bootstrap: $venv holds Python $venv_version; remove it (rm -rf $venv) and run again" >&2
    exit 1
fi

want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
    started=$SECONDS
    pinned="$(grep -c '==' constraints.txt)"
    # the project's direct dependencies, with the versions constraints.txt pins
    direct="$("$venv/bin/python" - <<'PY'
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
names = [re.split(r"[<>=~!\[ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]]
for extra in ("dev", "spark"):
    names += [re.split(r"[<>=~!\[ ]", d, maxsplit=1)[0].lower() for d in project["optional-dependencies"][extra]]
pins = dict(line.strip().lower().replace("_", "-").split("==", 1) for line in open("constraints.txt") if "==" in line)
print(", ".join(f"{n} {pins.get(n, '')}".strip() for n in names))
PY
)"
    echo "bootstrap: installing redcat (editable) into $venv with $pinned pinned packages (constraints.txt):"
    echo "bootstrap:   $direct"
    echo "bootstrap: pip output goes to $venv/bootstrap.log (about 2 minutes the first time)"
    if ! "$venv/bin/python" -m pip install -c constraints.txt -e '.[dev,spark]' >"$venv/bootstrap.log" 2>&1; then
        tail -20 "$venv/bootstrap.log" >&2
        echo "bootstrap: pip install failed; the whole output is in $venv/bootstrap.log" >&2
        exit 1
    fi
    echo "$want" >"$stamp"
    echo "bootstrap: installed in $((SECONDS - started)) s"
fi
