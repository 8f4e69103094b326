"""The harness itself: the PySide6 canary and the leak detectors must bite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtWidgets import QApplication


def test_processevents_keeps_none_refcount(qapp):
    """PySide6 6.12.0 on Python 3.11 loses a reference to None on every void call."""
    app = QApplication.instance()
    before = sys.getrefcount(None)
    for _ in range(5000):
        app.processEvents()
    after = sys.getrefcount(None)
    assert abs(after - before) < 100, f"None refcount moved by {after - before}"


LEAKY = textwrap.dedent('''
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLabel

    def test_leaks_a_timer(qapp):
        timer = QTimer()
        timer.start(1000)
        test_leaks_a_timer.keep = timer

    def test_leaks_a_widget(qapp):
        label = QLabel("left open")
        label.show()
        test_leaks_a_widget.keep = label
''')


def test_leak_detector_fails_leaky_tests(tmp_path: Path):
    """Run two deliberately leaky tests under this harness: both must fail."""
    case = tmp_path / "tests" / "ui"
    case.mkdir(parents=True)
    here = Path(__file__).parent
    (case / "conftest.py").write_text((here / "conftest.py").read_text())
    (case / "test_leaky.py").write_text(LEAKY)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(case),
         "-c", str(root / "pyproject.toml"), "--rootdir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "active QTimer" in out
    assert "open top-level widget QLabel" in out
    assert "2 errors" in out or "2 failed" in out, out
