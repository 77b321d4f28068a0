# Two commands: `make reports` renders everything, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The package's bytecode, written even where PYTHONDONTWRITEBYTECODE is set: every run, kernel
# and worker process then loads plancompare without compiling it (unchanged files are skipped).
BYTECODE := $(PY) -m compileall -q plancompare

.PHONY: reports test lint format setup clean lab bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m plancompare.kernel
	touch $(STAMP)

setup: $(STAMP)

reports: $(STAMP)
	$(BYTECODE)
	$(PY) run_all.py

test: $(STAMP)
	$(BYTECODE)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(BYTECODE)
	$(PY) benchmarks/run_benchmarks.py

clean:
	rm -rf reports/*.html reports/notebooks data/processed/*.csv data/processed/plans data/processed/tables.key
