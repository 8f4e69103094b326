"""Start the Qt application: platform, theme, error hook, window (and its service)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QTimer, qVersion
from PySide6.QtWidgets import QApplication

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.errors import MonitorError
from monitor.paths import site_protocols
from ui.common.startup import lighten_imports

if TYPE_CHECKING:  # named for the checker: the board's start does not load the service
    from monitor.record.service import EventLog

log = logging.getLogger(__name__)


def _choose_platform() -> None:
    """With no display at all, run offscreen instead of aborting in xcb."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print("ketamine-monitor: no display found; the window runs offscreen "
              "(close it with Ctrl+C)", file=sys.stderr)


def run(opened: EventLog | MonitorError, demo: dict[str, Any] | None = None) -> int:
    """The window on an opened log; ``opened`` is the error when it could not be opened
    (it is shown in a dialog)."""
    _choose_platform()
    lighten_imports()
    # The window's modules are imported once the lighter check is in (what it saves:
    # ui/common/startup.py).
    from ui.common.errors import install_excepthook, report
    from ui.common.theme import apply_theme
    from ui.main_window import MainWindow

    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("ketamine-monitor")
    app.setOrganizationName("ketamine-monitor")
    log.info("window starting; Qt %s, PySide6 %s", qVersion(), pyside_version)
    install_excepthook()
    apply_theme(app, "dark")
    protocols = load_protocols(site_protocols())
    if isinstance(opened, MonitorError):
        report(str(opened))
        return 1
    window = MainWindow(opened, SystemClock(), protocols, defer_charts=True)
    for problem in protocols.problems:
        window.show_problem(problem)
    if demo is not None:
        window.start_demo(demo)
    window.show()
    _quit_on_signals(app)  # before "window shown": a SIGTERM from then on closes cleanly
    log.info("window shown")
    code = app.exec()
    window.shutdown()
    window.service.close()
    return int(code)


def _quit_on_signals(app: Any) -> None:
    """Let Ctrl+C close the window cleanly (Qt's loop would otherwise swallow it)."""
    signal.signal(signal.SIGINT, lambda *_: app.closeAllWindows())
    signal.signal(signal.SIGTERM, lambda *_: app.closeAllWindows())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)  # gives Python a chance to run signal handlers
    timer.start(250)
