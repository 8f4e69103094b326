# Two commands a newcomer needs: `make run` and `make test`. Both create
# .venv when missing and install what they need into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test soak lint demo bench census screenshots course-screenshots sysdeps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Bytecode is compiled explicitly: an editable install does not, and some shells set
# PYTHONDONTWRITEBYTECODE, which would make every start compile the app again.
$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q monitor ui
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q monitor ui
	touch $@ $(APP_STAMP)

sysdeps:
	@bash .ci/sysdeps.sh

run: $(APP_STAMP) sysdeps
	$(BIN)/python -m compileall -q monitor ui
	$(BIN)/ketamine-monitor

demo: $(APP_STAMP) sysdeps
	$(BIN)/ketamine-monitor demo --db demo.db --seed 7 --speed 60

lint: $(TEST_STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check monitor ui tools tests bench
	$(BIN)/mypy

# Each pytest run records which hazards of docs/safety/ its passing tests prove; the
# check then fails on a hazard (not OPEN) that none proved. The results directory is
# cleared first, so an earlier run can never satisfy the check.
HAZARD_RESULTS := build/hazard-results
test: export KM_HAZARD_RESULTS := $(HAZARD_RESULTS)
# The core's tests and the window's tests run side by side (one process each, one per
# core: most of their time is single-threaded); the core's output is printed when both
# have ended, then the window on a virtual screen, then the hazard check.
test: lint sysdeps
	rm -rf $(HAZARD_RESULTS)
	@mkdir -p build
	@$(BIN)/python -m pytest tests/monitor tests/safety > build/test-core.log 2>&1 & core=$$!; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/ui tests/tools; ui=$$?; \
	wait $$core; status=$$?; echo "--- tests/monitor tests/safety ---"; \
	cat build/test-core.log; test $$status -eq 0 -a $$ui -eq 0
	$(BIN)/python -m pytest tests/xvfb
	$(BIN)/python -m tests.safety.check $(HAZARD_RESULTS)

# The two safety machines (nurse and monitor over the core; the window) with many
# more examples and steps than make test runs.
soak: $(TEST_STAMP) sysdeps
	KM_SAFETY_PROFILE=soak $(BIN)/python -m pytest -q tests/monitor/test_safety_machine.py
	KM_SAFETY_PROFILE=soak QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q \
		tests/ui/test_window_machine.py

bench: $(TEST_STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.run

# The seeded demo's alarm census (10 seeds, without and with a 1 Hz monitor):
# bench/alarm_census.json and a table; fails if any alarm was not actionable.
census: $(APP_STAMP)
	$(BIN)/python -m bench.alarm_census

screenshots: $(APP_STAMP) sysdeps
	$(BIN)/python -m tools.screenshots docs
	$(BIN)/python -m tools.more_screens docs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.sound_figures docs

# 1366x768 under Xvfb with icewm (Debian: xvfb, icewm); the module starts both.
course-screenshots: $(APP_STAMP) sysdeps
	$(BIN)/python -m tools.course_figures docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
