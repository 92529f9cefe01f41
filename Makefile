# tdgen — developer commands. `make run` and `make test` are the whole set-up on a fresh machine.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.installed-package
export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

.PHONY: run test lint typecheck arch unit bench bench-long fuzz package package-onefile screenshots clean venv

venv: $(STAMP)

# Create the virtualenv with a Python >= 3.12 and install tdgen with its dev extras.
# Reinstalls when pyproject.toml changes.
$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	    python=$$(sh build_scripts/find_python.sh) || exit 1; \
	    echo "Creating $(VENV) with $$python"; \
	    "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/tdgen gui

lint: $(STAMP)
	$(VENV)/bin/ruff check tdgen_desktop tests bench build_scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

arch: $(STAMP)
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

# Lint, type check, then every test (architecture contracts included) with Qt offscreen.
test: $(STAMP) lint typecheck unit

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run_bench.py

# The memory figure at 10,000,000 rows (several minutes), and a profile of one 100,000-row job.
bench-long: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run_bench.py --long --only memory
	$(PY) bench/profile_job.py

# The long fuzz: FUZZ_EXAMPLES malformed inputs per importer through every reliability test, then
# docs/RELIABILITY.md from the evidence in build/reliability/ (make test runs 300 per importer).
# 10,000 (the default) take about 30 minutes on 2 cores; `make fuzz FUZZ_EXAMPLES=2000` about 7.
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	QT_QPA_PLATFORM=offscreen TDGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TDGEN_RELIABILITY_SUITE=fuzz \
	    $(VENV)/bin/pytest tests/reliability
	$(PY) build_scripts/reliability_report.py --short-examples 300

# Render the window's main states offscreen into docs/screenshots/ (shown in the README).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) build_scripts/screenshots.py

# The double-click app (PyInstaller): dist/tdgen/tdgen; package-onefile: one file dist/onefile/tdgen.
$(PACKAGE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	@touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	$(PY) build_scripts/build.py

package-onefile: $(PACKAGE_STAMP)
	$(PY) build_scripts/build.py --onefile

clean:
	rm -rf build dist .mypy_cache .pytest_cache .ruff_cache tdgen-out
