"""The server warehouse: the whole dbt project on PostgreSQL, read by BI as `bi_reader`.

dbt's target `postgres` (profiles.yml) builds every layer on the server; the
project's grants let the BI role read schema `marts` and nothing else. This
module holds the connection settings (environment variables `REDCAT_PG_*`,
defaults in `redcat.warehouse.ENVIRONMENT`, the same as the profile's and
`scripts/postgres.sh`'s) and the server's main job:

    python -m redcat.server load DIR   # validate a raw directory, COPY it into raw.*
    python -m redcat.server build      # dbt build -> data contract -> marts (the gate)
    python -m redcat.server clear      # drop the loaded raw.*: the committed seeds apply

`build` is `redcat run`'s sequence on the server: everything but the marts,
then the Great Expectations contract on the shared-account join (the same
suites, run inside PostgreSQL), and the marts only when it passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from redcat.warehouse import ENVIRONMENT, project_root, run_dbt, warehouse_path

HOST_ENV = "REDCAT_PG_HOST"
PORT_ENV = "REDCAT_PG_PORT"
DATABASE_ENV = "REDCAT_PG_DATABASE"
USER_ENV = "REDCAT_PG_USER"
PASSWORD_ENV = "REDCAT_PG_PASSWORD"
BI_USER_ENV = "REDCAT_PG_BI_USER"
BI_PASSWORD_ENV = "REDCAT_PG_BI_PASSWORD"

DBT_TARGET = "postgres"


def _setting(name: str, env: Mapping[str, str]) -> str:
    value = env.get(name, "").strip()
    return value or ENVIRONMENT[name][0]


@dataclass(frozen=True)
class ServerSettings:
    """Where the server warehouse is and which role connects."""

    host: str
    port: int
    database: str
    user: str
    password: str

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, bi_reader: bool = False
    ) -> ServerSettings:
        """The build role's settings (or the BI role's) from `REDCAT_PG_*`, else the defaults."""
        env = os.environ if env is None else env
        user_env, password_env = (
            (BI_USER_ENV, BI_PASSWORD_ENV) if bi_reader else (USER_ENV, PASSWORD_ENV)
        )
        return cls(
            host=_setting(HOST_ENV, env),
            port=int(_setting(PORT_ENV, env)),
            database=_setting(DATABASE_ENV, env),
            user=_setting(user_env, env),
            password=_setting(password_env, env),
        )

    def sqlalchemy_url(self) -> str:
        """`postgresql+psycopg2://user:password@host:port/database` (holds the password)."""
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return (
            f"postgresql+psycopg2://{credentials}@{self.host}:{self.port}/"
            f"{quote(self.database, safe='')}"
        )

    def display(self) -> str:
        """The settings to print: `postgresql://user@host:port/database`, no password."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connect_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "password": self.password,
            "application_name": "redcat",
        }


@contextmanager
def connect(settings: ServerSettings | None = None) -> Iterator[Any]:
    """A short-lived psycopg2 connection (not in autocommit: the caller commits)."""
    import psycopg2

    connection = psycopg2.connect(**(settings or ServerSettings.from_env()).connect_kwargs())
    try:
        yield connection
    finally:
        connection.close()


def server_dbt_env(settings: ServerSettings) -> dict[str, str]:
    """Environment variables that point the profile's `postgres` target at `settings`."""
    return {
        HOST_ENV: settings.host,
        PORT_ENV: str(settings.port),
        DATABASE_ENV: settings.database,
        USER_ENV: settings.user,
        PASSWORD_ENV: settings.password,
    }


@dataclass(frozen=True)
class ServerBuild:
    contract: Any  # redcat.contract_checks.ContractReport
    seconds: float


def build(
    settings: ServerSettings | None = None,
    *,
    root: Path | None = None,
    gx_root: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    echo: Any = print,
) -> ServerBuild:
    """`redcat run`'s gated build on the server: dbt up to the join models, the
    contract, then the marts. Raises `redcat.run.ContractViolation` (marts
    untouched) when the contract fails, `DbtRunError` when dbt does."""
    from redcat.contract_checks import run_contract_on_server
    from redcat.pipeline import BUILD_BEFORE_CONTRACT, BUILD_MARTS
    from redcat.run import ContractViolation

    started = time.perf_counter()
    settings = settings or ServerSettings.from_env()
    root = root or project_root()
    env = {**(extra_env or {}), **server_dbt_env(settings)}
    target = ["--target", DBT_TARGET]
    # the DuckDB file is not used by the postgres target; run_dbt sets it regardless
    db_path = warehouse_path(root)
    run_dbt([*BUILD_BEFORE_CONTRACT, *target], db_path=db_path, root=root, extra_env=env)
    contract = run_contract_on_server(settings, gx_root=gx_root or root / "gx")
    if not contract.success:
        # the report is the exception's message
        raise ContractViolation(contract)
    echo(contract.format())
    run_dbt([*BUILD_MARTS, *target], db_path=db_path, root=root, extra_env=env)
    return ServerBuild(contract=contract, seconds=time.perf_counter() - started)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m redcat.server",
        description=(
            "The server warehouse on PostgreSQL (settings: REDCAT_PG_HOST, REDCAT_PG_PORT, "
            "REDCAT_PG_DATABASE, REDCAT_PG_USER, REDCAT_PG_PASSWORD; "
            "scripts/postgres.sh start prints those of a local cluster)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser(
        "load",
        help="validate a raw directory like `redcat load` and COPY it into schema raw",
    )
    load.add_argument("raw_dir", type=Path, metavar="DIR")
    commands.add_parser(
        "clear", help="drop the loaded raw relations, so the next build uses the committed seeds"
    )
    commands.add_parser(
        "build", help="dbt build --target postgres, gated by the data contract before the marts"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from redcat.cli import failure
    from redcat.errors import RedcatError
    from redcat.run import ContractViolation

    args = _parser().parse_args(argv)
    settings = ServerSettings.from_env()
    try:
        if args.command == "load":
            from redcat.load_postgres import load_raw_dir_to_server

            report = load_raw_dir_to_server(args.raw_dir, settings)
            print(report.format())
        elif args.command == "clear":
            from redcat.load_postgres import clear_loaded_raw_on_server

            dropped = clear_loaded_raw_on_server(settings)
            print(f"Dropped {len(dropped)} loaded raw relations: the committed seeds apply")
        else:
            result = build(settings)
            print(f"Built the server warehouse {settings.display()} in {result.seconds:.1f} s")
    except (RedcatError, ContractViolation) as error:
        status, message = failure(args.command, error, program="python -m redcat.server")
        print(message, file=sys.stderr)
        return int(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
