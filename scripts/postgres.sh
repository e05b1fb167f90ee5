#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the server warehouse (dbt target `postgres`).
#
#   scripts/postgres.sh start  [DIR]   create the cluster (first time), start it on a free
#                                      127.0.0.1 port, create the roles and the database;
#                                      prints the connection settings as `export` lines
#   scripts/postgres.sh env    [DIR]   print those lines again (cluster running)
#   scripts/postgres.sh status [DIR]   exit 0 when the cluster runs
#   scripts/postgres.sh stop   [DIR]   stop it (the data stay in DIR)
#   scripts/postgres.sh createdb NAME [DIR]   one more database like $REDCAT_PG_DATABASE
#                                      (owned by the build role, closed to everyone else)
#   scripts/postgres.sh install        install Debian's postgresql-15 if it is missing
#
#   eval "$(scripts/postgres.sh start /tmp/redcat-pg)"   # then: dbt build --target postgres
#
# DIR defaults to $REDCAT_PG_DIR, else <project>/warehouse/postgres. Everything the
# cluster writes stays in DIR: data/ (PGDATA), run/ (its Unix socket), postgres.log and
# env (the settings printed by `start`). Debian's postgresql-15 provides the binaries
# (/usr/lib/postgresql/15/bin, or $REDCAT_PG_BIN); `start` installs the package when it is
# missing and it runs as root with apt-get, as CI does. initdb and postgres refuse to run
# as root, so as root the cluster belongs to the `postgres` user, and DIR's parent folders
# must be searchable by it (anything under /tmp is).
#
# Roles (names and passwords from the environment, defaults for a local cluster):
#   $REDCAT_PG_USER / $REDCAT_PG_PASSWORD (redcat / redcat): builds the project, owns
#     database $REDCAT_PG_DATABASE (redcat) and every schema dbt creates in it;
#   $REDCAT_PG_BI_USER / $REDCAT_PG_BI_PASSWORD (bi_reader / bi_reader): may connect,
#     nothing else; what it reads is granted by the dbt project (schema marts only).
#   The superuser `postgres` connects only through the Unix socket in DIR/run.
# The cluster is a disposable local one: fsync is off, and passwords are checked
# (scram-sha-256) on 127.0.0.1 only.
set -euo pipefail
# runuser (run as root) lives in sbin, which a minimal environment (cron, env -i)
# leaves off PATH
PATH="$PATH:/usr/sbin:/sbin"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command="${1:-}"
shift || true
if [[ "$command" == createdb ]]; then
    [[ $# -ge 1 ]] || { echo "usage: scripts/postgres.sh createdb NAME [DIR]" >&2; exit 2; }
    new_database="$1"
    shift
fi
dir="${1:-${REDCAT_PG_DIR:-$root/warehouse/postgres}}"
pg_bin="${REDCAT_PG_BIN:-/usr/lib/postgresql/15/bin}"

build_user="${REDCAT_PG_USER:-redcat}"
build_password="${REDCAT_PG_PASSWORD:-redcat}"
database="${REDCAT_PG_DATABASE:-redcat}"
bi_user="${REDCAT_PG_BI_USER:-bi_reader}"
bi_password="${REDCAT_PG_BI_PASSWORD:-bi_reader}"

say() { echo "postgres: $*" >&2; }
die() {
    say "$*"
    exit 1
}

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

case "$command" in
start | stop | status | env | createdb | install) ;;
*) usage ;;
esac

ensure_binaries() {
    [[ -x "$pg_bin/initdb" ]] && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian's postgresql-15 (server warehouse and its grants test)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    [[ -x "$pg_bin/initdb" ]] ||
        die "$pg_bin/initdb is missing: install Debian's postgresql-15 (apt-get install postgresql-15) or set REDCAT_PG_BIN"
}

if [[ "$command" == install ]]; then
    ensure_binaries
    exit 0
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
data="$dir/data"
socket_dir="$dir/run"
log_file="$dir/postgres.log"
env_file="$dir/env"

# Run a server-side command as the cluster's owner: the `postgres` user under root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

is_running() {
    [[ -f "$data/PG_VERSION" ]] && as_owner "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

superuser_sql() {
    local port="$1"
    shift
    as_owner "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U postgres "$@"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster() {
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres:postgres "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "the postgres user cannot write to $dir: pick a folder whose parents it can search (e.g. under /tmp)"
    fi
    chmod 700 "$dir"
    as_owner mkdir -p "$socket_dir"
    say "creating a cluster in $data"
    as_owner "$pg_bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
    cat <<'CONF' | as_owner tee -a "$data/postgresql.conf" >/dev/null
# redcat: a disposable local cluster (scripts/postgres.sh)
listen_addresses = '127.0.0.1'
timezone = 'UTC'
log_timezone = 'UTC'
fsync = off
synchronous_commit = off
full_page_writes = off
work_mem = '64MB'
CONF
}

provision_roles() {
    local port="$1"
    superuser_sql "$port" -d postgres <<SQL
do \$\$
begin
    if not exists (select from pg_roles where rolname = $(sql_literal "$build_user")) then
        create role "$build_user" login;
    end if;
    if not exists (select from pg_roles where rolname = $(sql_literal "$bi_user")) then
        create role "$bi_user" login;
    end if;
end
\$\$;
alter role "$build_user" with login nosuperuser nocreatedb nocreaterole password $(sql_literal "$build_password");
alter role "$bi_user" with login nosuperuser nocreatedb nocreaterole password $(sql_literal "$bi_password");
SQL
}

provision_database() {
    local port="$1" name="$2"
    superuser_sql "$port" -d postgres <<SQL
select format('create database %I owner %I', $(sql_literal "$name"), $(sql_literal "$build_user"))
where not exists (select from pg_database where datname = $(sql_literal "$name"))
\gexec
-- nobody gets temporary tables or a connection by default: each role is granted what it needs
revoke all on database "$name" from public;
grant connect, temporary on database "$name" to "$build_user";
grant connect on database "$name" to "$bi_user";
SQL
    superuser_sql "$port" -d "$name" <<SQL
-- PostgreSQL lets every role use schema public; here only the build role may
revoke all on schema public from public;
grant all on schema public to "$build_user";
SQL
}

write_env() {
    local port="$1"
    umask 077
    cat >"$env_file" <<ENV
export REDCAT_PG_HOST=127.0.0.1
export REDCAT_PG_PORT=$port
export REDCAT_PG_DATABASE=$database
export REDCAT_PG_USER=$build_user
export REDCAT_PG_PASSWORD=$build_password
export REDCAT_PG_BI_USER=$bi_user
export REDCAT_PG_BI_PASSWORD=$bi_password
ENV
}

running_port() {
    # postmaster.pid: pid, data directory, start time, port, ...
    as_owner sed -n '4p' "$data/postmaster.pid"
}

case "$command" in
start)
    ensure_binaries
    [[ -f "$data/PG_VERSION" ]] || init_cluster
    if is_running; then
        port="$(running_port)"
    else
        # a free port can be taken between the check and the start: try another
        for attempt in 1 2 3; do
            port="$(free_port)"
            say "starting on 127.0.0.1:$port (log: $log_file)"
            if as_owner "$pg_bin/pg_ctl" -D "$data" -l "$log_file" -w -t 120 \
                -o "-p $port -k $socket_dir" start >/dev/null; then
                break
            fi
            is_running && as_owner "$pg_bin/pg_ctl" -D "$data" -m fast stop >/dev/null
            [[ $attempt -lt 3 ]] || die "the server did not start; see $log_file"
        done
    fi
    provision_roles "$port"
    provision_database "$port" "$database"
    write_env "$port"
    cat "$env_file"
    ;;
createdb)
    is_running || die "no cluster runs in $dir (scripts/postgres.sh start $dir)"
    provision_database "$(running_port)" "$new_database"
    say "database $new_database ready (owner $build_user)"
    ;;
env)
    is_running || die "no cluster runs in $dir (scripts/postgres.sh start $dir)"
    cat "$env_file"
    ;;
status)
    if is_running; then
        say "running in $dir on 127.0.0.1:$(running_port)"
    else
        say "not running ($dir)"
        exit 3
    fi
    ;;
stop)
    if is_running; then
        as_owner "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 120 stop >/dev/null
        say "stopped ($dir)"
    else
        say "not running ($dir)"
    fi
    ;;
esac
