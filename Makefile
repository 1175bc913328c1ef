# Two commands on a fresh clone: `make demo` shows the server at work, `make test` runs every check.
# `make bench` measures the server against a bare MCP server (README, "Performance").
# All bootstrap .venv from pyproject.toml on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := server tests $(wildcard scripts)
MCPB := npx -y @anthropic-ai/mcpb@2.1.2

.PHONY: demo test lint typecheck manifest pytest bundle bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

# The MCP Bundle manifest must pass the official validator (needs Node/npx; the npm registry the first time).
manifest:
	$(MCPB) validate manifest.json

pytest: $(STAMP)
	$(BIN)/pytest

# dist/huawei-meeting-mcp-<version>-<platform>-py<XY>.mcpb for this platform and Python (see the README, "Client configuration").
bundle: $(STAMP)
	$(BIN)/python scripts/build_bundle.py

test: lint typecheck manifest pytest

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
