# The two commands (see README.md). Set-up is part of both, and quick when
# nothing changed. Extra arguments for `redcat run`: make run ARGS='--scale 0.1'
.PHONY: run test test-fast bootstrap system-packages

ARGS ?=

run: bootstrap
	.venv/bin/redcat run $(ARGS)

# every step and every test (CI runs this: .ci/run)
test:
	scripts/test.sh

# set-up, linters, mypy and the tests not marked slow or ui (a few minutes)
test-fast:
	scripts/test.sh fast

bootstrap:
	scripts/bootstrap.sh

# Debian's chromium and postgresql-15 for the UI and server-warehouse tests
system-packages:
	scripts/system-packages.sh
