"""Qt test harness: fail any test that leaves a running QThread, an active
QTimer, a pending QTimer.singleShot, QThreadPool work or an open top-level widget
behind (after napari's conftest)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


@pytest.fixture(autouse=True)
def _no_dangling_qt(qapp, monkeypatch: pytest.MonkeyPatch):
    """Autouse fixtures are set up first, so this checks after qtbot has closed its widgets."""
    timers: list[QTimer] = []
    threads: list[QThread] = []
    original_start = QTimer.start
    original_thread_start = QThread.start
    original_single_shot = QTimer.singleShot
    pending: dict[int, str] = {}  # single shots scheduled and not yet run

    def start_timer(self: QTimer, *args: object) -> None:
        timers.append(self)
        original_start(self, *args)

    def start_thread(self: QThread, *args: object) -> None:
        threads.append(self)
        original_thread_start(self, *args)

    def single_shot(msec: int, *args: object) -> None:
        action = args[-1] if args else None
        if len(args) != 1 or not callable(action):  # (receiver, slot) forms: as they are
            original_single_shot(msec, *args)  # type: ignore[call-overload]
            return
        key = id(action)
        pending[key] = f"QTimer.singleShot({msec} ms, {getattr(action, '__qualname__', action)})"

        def run() -> None:
            pending.pop(key, None)
            action()

        original_single_shot(msec, run)

    monkeypatch.setattr(QTimer, "start", start_timer)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(single_shot))
    monkeypatch.setattr(QThread, "start", start_thread)
    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    gc.collect()
    problems = [f"pending {what}" for what in pending.values()]
    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(2000) or pool.activeThreadCount():
        problems.append(f"QThreadPool still running {pool.activeThreadCount()} task(s)")
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


@pytest.fixture
def themed(qapp, request: pytest.FixtureRequest):
    """The look the nurse gets (the app's theme: sizes and colours), put back after. Dark
    unless a test asks for another (``parametrize("themed", ["light"], indirect=True)``)."""
    from ui.common import theme
    style, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    before = theme.current().name
    theme.apply_theme(qapp, getattr(request, "param", "dark"))
    yield theme.current()
    qapp.setStyleSheet(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    theme._current = theme.THEMES[before]


@pytest.fixture
def bedside(qtbot, store, clock, protocols):
    """The window with a session open after baseline vitals: (window, page, recorder)."""
    from tests.support.window import open_session_window
    window, page, rec = open_session_window(qtbot, store, clock, protocols)
    yield window, page, rec
    window.shutdown()


@pytest.fixture
def hooked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's exception hooks (sys and threading), as ``ui.app.run`` and the board
    install them; Python's own back after the test."""
    import sys
    import threading

    from ui.common.errors import install_excepthook
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook()
