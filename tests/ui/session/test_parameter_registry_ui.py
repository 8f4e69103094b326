"""A parameter added to the registry alone reaches the window's rail and charts
(the core side: tests/monitor/model/test_parameter_registry.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_an_added_parameter_reaches_the_rail_and_the_charts() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.added_parameter.plugin",
         "-p", "no:cacheprovider", "tests/added_parameter/probe_added_parameter_ui.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "1 passed" in out.stdout.splitlines()[-1]
