# Everything a newcomer needs: `make test` and `make demo`. Both create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: install test lint demo bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench demo

# SQLite first, then PostgreSQL and MariaDB when reachable (required under CI=true)
test: $(STAMP) lint
	$(BIN)/pytest
	.ci/db-matrix

demo: $(STAMP)
	$(BIN)/python demo/run_demo.py

bench: $(STAMP)
	$(BIN)/python bench/sync_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache
