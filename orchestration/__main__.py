"""`python -m orchestration`: the Dagster UI on the redcat definitions, quietly.

The same as `dagster dev` in the project folder, with three differences a
new user would otherwise trip on:

- runs are kept in the warehouse's instance folder (`<warehouse dir>/dagster/`,
  `warehouse/dagster/` by default, telemetry off), the one `redcat run --record-run`
  records its runs in;
- no "superseded" warning: Dagster's `dagster dev` command warns that it is
  superseded by `dg dev` before any project code runs; this starts the same
  services through the same function `dg dev` calls;
- SIGINT and SIGTERM stop it cleanly even when it was started in the
  background by a script: a shell starts a background job with SIGINT
  ignored, and `dagster dev` maps SIGTERM to SIGINT's handler, so it would
  ignore both; here SIGINT gets Python's handler back first.

Options: `--host`, `--port` (default 127.0.0.1:3000).
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Sequence

from orchestration.instance import dagster_home
from redcat.warehouse import project_root, warehouse_path

DEFINITIONS_MODULE = "orchestration.definitions"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="3000")
    args = parser.parse_args(argv)

    root = project_root()
    home = dagster_home(warehouse_path(root))
    os.environ["DAGSTER_HOME"] = str(home)
    # from the instance folder, dagster finds no other dagster.yaml to warn about
    os.chdir(home)
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

    from dagster._cli.dev import dev_command_impl
    from dagster_shared.cli import WorkspaceOpts

    dev_command_impl(
        code_server_log_level="warning",
        log_level="info",
        log_format="colored",
        port=str(args.port),
        host=args.host,
        use_legacy_code_server_behavior=False,
        shutdown_pipe=None,
        verbose=False,
        workspace_opts=WorkspaceOpts(
            module_name=(DEFINITIONS_MODULE,), working_directory=str(root)
        ),
    )


if __name__ == "__main__":
    main()
