"""pytest plugin (loaded by tests/conftest.py): traces tests to the hazard log.

- A run whose tests name (``@pytest.mark.hazard("H-xxx", ...)``) an id that is not in
  the log, or whose log is broken, stops with a usage error listing them.
- When ``KM_HAZARD_RESULTS`` names a directory, the run writes there one results file
  saying, for each test that names hazards, which ids and whether it passed
  (setup, call and teardown). ``tests.safety.check`` reads them all.
- ``KM_HAZARD_LOG`` names another log directory (the plugin's own tests use it).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.safety.hazards import LOG_DIR, HazardLogError, load

RESULTS_ENV = "KM_HAZARD_RESULTS"
LOG_ENV = "KM_HAZARD_LOG"


def log_dir() -> Path:
    return Path(os.environ.get(LOG_ENV) or LOG_DIR)


def hazard_ids(item: pytest.Item) -> list[str]:
    return [str(i) for mark in item.iter_markers("hazard") for i in mark.args]


class HazardTrace:
    """One run's trace: test node id -> the hazards it names and whether it passed."""

    def __init__(self) -> None:
        self.tests: dict[str, dict[str, object]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        named = {item.nodeid: hazard_ids(item) for item in items
                 if item.get_closest_marker("hazard")}
        if not named:
            return
        try:
            known = load(log_dir())
        except HazardLogError as exc:
            raise pytest.UsageError("\n".join(["hazard log is broken:", *exc.problems])) from exc
        wrong = [f"{node}: {', '.join(ids) or 'no id'}"
                 for node, ids in named.items()
                 if not ids or any(i not in known for i in ids)]
        if wrong:
            raise pytest.UsageError("\n".join(
                [f"tests name hazards that are not in the hazard log ({log_dir()}):", *wrong]))
        self.tests = {node: {"hazards": ids, "passed": None} for node, ids in named.items()}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.get(report.nodeid)
        if entry is None:
            return
        if report.when == "call":
            entry["passed"] = report.passed
        elif not report.passed:  # a failed or skipped setup, or a failed teardown
            entry["passed"] = False

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        out = os.environ.get(RESULTS_ENV)
        if not out or hasattr(session.config, "workerinput"):
            return
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        payload = {"args": [str(a) for a in session.config.args],
                   "tests": {node: {"hazards": e["hazards"], "passed": e["passed"] is True}
                             for node, e in self.tests.items()}}
        name = f"run-{time.time_ns()}-{os.getpid()}.json"
        (directory / name).write_text(json.dumps(payload, indent=1), "utf-8")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hazard(*ids): the test proves a control of these hazards (docs/safety/)")
    if not config.pluginmanager.has_plugin("hazard-trace"):
        config.pluginmanager.register(HazardTrace(), "hazard-trace")
