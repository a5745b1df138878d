# Two entry points: `make serve` and `make test`. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test test-pg bench lint typecheck imports pytest schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install whenever the dependency lists change.
$(VENV)/.runtime: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The demo simulator feeds the served gateway over HTTP, so live numbers move.
serve: $(VENV)/.runtime
	$(BIN)/occupi migrate
	$(BIN)/occupi seed-demo --if-empty
	$(BIN)/occupi import timetable samples/timetable.json \
	  --schedules samples/timetable-schedules.csv --if-empty
	$(BIN)/occupi simulate --url http://$(HOST):$(PORT) --interval 5 & SIMULATOR=$$!; \
	trap 'kill $$SIMULATOR 2>/dev/null' EXIT INT TERM; \
	$(BIN)/occupi serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy domain gateway rest_compat migrations tests scripts bench

imports: $(VENV)/.dev
	$(BIN)/lint-imports

# graphql-http's server audits (tests/conformance) run with the npm package pinned there.
CONFORMANCE := tests/conformance/node_modules/.package-lock.json
$(CONFORMANCE): tests/conformance/package.json tests/conformance/package-lock.json
	npm ci --prefix tests/conformance --no-audit --no-fund
	touch $@

pytest: $(VENV)/.dev $(CONFORMANCE)
	$(BIN)/pytest

test: lint typecheck imports pytest

# The whole suite again on throwaway PostgreSQL and Redis servers (installed on first use).
test-pg: $(VENV)/.dev $(CONFORMANCE)
	$(BIN)/python scripts/test_services.py -- $(BIN)/pytest

# The benchmark suite (issue 12: the gateway against plain Strawberry and the floor, on
# SQLite), then 1 against 2 gateway processes on throwaway PostgreSQL and Redis, then the
# occupancy and free-room benchmarks (docs/benchmarks.md). Servers run on core 0, wrk on
# core 1. QUICK=1 (or BENCH_QUICK=1 in the environment) runs the short modes.
BENCH_QUICK_FLAG = $(if $(filter-out 0,$(QUICK)),--quick)
bench: $(VENV)/.runtime
	@command -v wrk >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; }
	$(BIN)/python -m bench $(BENCH_QUICK_FLAG)
	taskset --cpu-list 0 $(BIN)/python scripts/test_services.py -- \
	  $(BIN)/python -m bench.workers $(BENCH_QUICK_FLAG)
	$(BIN)/python -m bench.occupancy $(BENCH_QUICK_FLAG)
	$(BIN)/python -m bench.free_rooms $(BENCH_QUICK_FLAG)

schema: $(VENV)/.runtime
	$(BIN)/occupi export-schema > schema.graphql.tmp
	mv schema.graphql.tmp schema.graphql

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
