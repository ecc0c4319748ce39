# SEND review workbook. `make help` lists the targets.
# Every target sets up .venv (python3 -m venv) from requirements.lock first, so a
# fresh clone needs nothing but Python 3.11 and pip.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The kernel the notebooks name ("send-review"): registered by setup, so papermill runs them headless on a fresh clone.
KERNEL := $(VENV)/share/jupyter/kernels/send-review/kernel.json
AREA   ?= Kent

.DEFAULT_GOAL := help
.PHONY: help setup report test lab lint notebooks benchmark clean

help: ## list the targets and what they do
	@echo "SEND review workbook - make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(KERNEL): $(STAMP) tools/lab.py
	$(BIN)/python -m tools.lab

setup: $(STAMP) $(KERNEL) ## create .venv, install the locked environment and register the notebooks' kernel (all other targets do this first)

report: setup ## review Kent (AREA=...) for the last completed quarter (QUARTER=2025-Q3 for another) and print where the HTML is
	$(BIN)/send-review run --area "$(AREA)"$(if $(QUARTER), --quarter "$(QUARTER)")

test: setup ## ruff and the import-linter layer contracts, then the whole test suite (unit, notebooks under nbval, end-to-end), a test file per core at once
	$(BIN)/ruff check src tests benchmarks notebooks tools
	$(BIN)/lint-imports
	$(BIN)/python -m pytest tests --nbval-lax --nbval-kernel-name python3 notebooks -n auto --dist loadfile

lab: setup ## open JupyterLab on the workbook, with the project's kernel (autoreload on)
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/python -m pip install --quiet jupyterlab
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: setup ## ruff; import-linter layer contracts; notebook pairs/outputs/images; large files
	$(BIN)/ruff check src tests benchmarks notebooks tools
	$(BIN)/lint-imports
	$(BIN)/python -m tools.hygiene

notebooks: setup ## after editing notebooks/*.py: rebuild the .ipynb pairs and store the nbval headline outputs
	for f in notebooks/*.py; do $(BIN)/jupytext --to ipynb "$$f" >/dev/null; done
	$(BIN)/python -m tools.hygiene --store-headlines

benchmark: setup ## timings: release load vs plain pyarrow, the all-LA backtest, the quarterly run
	$(BIN)/python benchmarks/bench_release_load.py
	$(BIN)/python benchmarks/bench_backtest.py
	$(BIN)/python benchmarks/bench_quarterly.py

clean: ## remove the virtual environment, caches and generated reports
	rm -rf $(VENV) data/cache .pytest_cache .ruff_cache
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
