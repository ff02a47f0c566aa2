# The two commands of the README: `make run` (the main job on the sample inbox) and
# `make test` (the whole test suite, as CI runs it). Both install what they need first.
SHELL := /bin/bash
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export UV_LINK_MODE := copy
UV := python3 -m uv

.PHONY: bootstrap install run test lint services

bootstrap:  ## uv, the package manager, if the machine lacks it
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: bootstrap
	$(UV) sync --frozen

run: install  ## the main job on embedded defaults against the bundled sample inbox
	$(UV) run python examples/sample_inbox.py
	$(UV) run chiso run --inbox examples/inbox

services:  ## PostgreSQL for the test tiers; Chromium for the report screenshot
	@bash scripts/ensure-services.sh

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports  ## the layers (pyproject.toml: [tool.importlinter])

test: install services lint  ## two pytest workers, a test module each at a time: much of the suite waits on servers and subprocesses
	$(UV) run pytest -n 2 --dist loadscope
