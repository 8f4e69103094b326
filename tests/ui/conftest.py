"""Qt test harness: fail any test that leaves a running QThread, an active
QTimer or an open top-level widget behind (after napari's conftest)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


@pytest.fixture(autouse=True)
def _no_dangling_qt(qapp, monkeypatch: pytest.MonkeyPatch):
    """Autouse fixtures are set up first, so this checks after qtbot has closed its widgets."""
    timers: list[QTimer] = []
    threads: list[QThread] = []
    original_start = QTimer.start
    original_thread_start = QThread.start

    def start_timer(self: QTimer, *args: object) -> None:
        timers.append(self)
        original_start(self, *args)

    def start_thread(self: QThread, *args: object) -> None:
        threads.append(self)
        original_thread_start(self, *args)

    monkeypatch.setattr(QTimer, "start", start_timer)
    monkeypatch.setattr(QThread, "start", start_thread)
    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    gc.collect()
    problems = []
    for t in timers:
        try:
            if t.isActive():
                problems.append(f"active QTimer (interval {t.interval()} ms, parent "
                                f"{type(t.parent()).__name__})")
                t.stop()
        except RuntimeError:
            pass  # already deleted by Qt: fine
    for th in threads:
        try:
            if th.isRunning():
                problems.append(f"running QThread {th!r}")
                th.quit()
                th.wait(2000)
        except RuntimeError:
            pass
    for w in QApplication.topLevelWidgets():
        if id(w) in before:
            continue
        if w.isVisible() or isinstance(w, QMainWindow):
            problems.append(f"open top-level widget {type(w).__name__} "
                            f"{w.windowTitle()!r}")
            w.close()
            w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if problems:
        pytest.fail("Test left Qt objects behind: " + "; ".join(problems), pytrace=False)
