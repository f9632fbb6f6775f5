# The two commands of the README: `make run` and `make test`. Each makes .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test screenshots install lint typecheck bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Otklik needs Python 3.11+ / нужен Python 3.11+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	$(BIN)/otklik migrate
	$(BIN)/otklik demo
	$(BIN)/otklik serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src/otklik
	$(BIN)/lint-imports

test: lint typecheck
	$(BIN)/pytest

# retakes docs/screenshots/*.png with the end-to-end tests (make test leaves them alone)
screenshots: install
	OTKLIK_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/e2e --no-cov -q

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
