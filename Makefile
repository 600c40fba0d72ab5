# Two commands: `make run` (everything on an embedded PostgreSQL) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint openapi demo bench faults clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(PY) -m devstack.run

test: $(STAMP)
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check services tests migrations bench
	$(VENV)/bin/ruff format --check services tests migrations bench
	$(VENV)/bin/mypy

openapi: $(STAMP)
	$(PY) -m devstack.openapi_specs write

# A benchmark, not a test: BENCH_ARGS="--admin-url postgresql://postgres@127.0.0.1:5432/postgres"
# for a server of your own (else an embedded one); results and how to read them in docs/bench.md.
bench: $(STAMP)
	$(PY) bench/throughput.py $(BENCH_ARGS)

demo: $(STAMP)
	$(PY) -m devstack.demo

# The fault run (bench/faults, docs/reliability.md): loopback only, on the machine's PostgreSQL
# (TEST_DATABASE_URL, else postgres@127.0.0.1:5432), about three minutes.
faults: $(STAMP)
	$(PY) -m bench.faults $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) .data
