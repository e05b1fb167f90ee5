# The two commands (see README.md). Set-up is part of both, and quick when
# nothing changed. Extra arguments for `redcat run`: make run ARGS='--scale 0.1'
.PHONY: run test bootstrap

ARGS ?=

run: bootstrap
	.venv/bin/redcat run $(ARGS)

test:
	scripts/test.sh

bootstrap:
	scripts/bootstrap.sh
