"""A window kept on one screen and opened on another of a different size fills the new
one (issue 23 point 17: kept at 1366×768, it used 730 of 770 px at 1280×800); on the
same screen it keeps its size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QApplication

from ui.main_window import GEOMETRY_KEY, SCREEN_KEY, MainWindow


def _kept(qtbot, store, clock, protocols, screen: str) -> QByteArray:
    """A geometry saved for a 600×400 window, said to be kept on ``screen``."""
    first = MainWindow(store, clock, protocols)
    qtbot.addWidget(first)
    first.resize(600, 400)
    geometry = first.saveGeometry()
    first.shutdown()
    QSettings().setValue(GEOMETRY_KEY, geometry)
    QSettings().setValue(SCREEN_KEY, screen)
    return geometry


def _shown(qtbot, store, clock, protocols) -> MainWindow:
    window = MainWindow(store, clock, protocols)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.refit_timer.isActive(), timeout=3000)
    QApplication.processEvents()
    return window


@pytest.mark.hazard("H-223")
@pytest.mark.parametrize("same_screen", [True, False])
def test_a_window_kept_on_another_screen_fills_this_one(qtbot, store, clock, protocols,
                                                        same_screen):
    probe = MainWindow(store, clock, protocols)
    qtbot.addWidget(probe)
    avail = probe.available()
    probe.shutdown()
    here = f"{avail.width()}x{avail.height()}"
    _kept(qtbot, store, clock, protocols, here if same_screen else "1366x738")
    window = _shown(qtbot, store, clock, protocols)
    try:
        if same_screen:
            assert (window.width(), window.height()) == (600, 400)
        else:   # as large as the screen allows, frame included
            assert window.height() > 400 and window.width() > 600
            assert window.frameGeometry().height() >= avail.height() - 40
            assert avail.contains(window.frameGeometry())
    finally:
        window.shutdown()
