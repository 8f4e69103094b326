"""Start the board: the Qt application, the theme, the error hook, the window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from monitor.errors import StoreError
from ui.app import _choose_platform, _quit_on_signals
from ui.common.startup import lighten_imports


def run_board(url: str, *, chairs: int, patient_label: str) -> int:
    _choose_platform()
    lighten_imports()
    # The board's modules are imported once the lighter check is in (ui/common/startup.py).
    from ui.board.window import open_board
    from ui.common.errors import install_excepthook, report
    from ui.common.theme import apply_theme

    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("ketamine-monitor")
    install_excepthook()
    apply_theme(app, "dark")
    try:
        window = open_board(url, chairs=chairs, patient_label=patient_label)
    except StoreError as exc:
        report(str(exc))
        return 1
    window.showMaximized()  # a board gets the whole screen
    _quit_on_signals(app)
    code = app.exec()
    window.shutdown()
    return int(code)
