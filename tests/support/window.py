"""Helpers for driving the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from monitor.log.sqlite.store import Store
from tests.conftest import PRESCRIBED, discharge_confirmed
from ui.main_window import MainWindow


def make_window(qtbot, store: Store, clock, protocols) -> MainWindow:
    window = MainWindow(store, clock, protocols)
    # Shut down at teardown too (a test that forgets leaves its problem handler, timers
    # and background sessions to the next test); shutting down twice is harmless.
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


def type_into(qtbot, edit: QLineEdit, text: str, enter: bool = False) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def kinds(store: Store, sid: str) -> list[str]:
    return [e.kind.value for e in store.events(sid)]


def open_session_window(qtbot, store: Store, clock, protocols):
    """The window with a session open after baseline vitals: (window, page, recorder)."""
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, baseline_vitals
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    return window, window.open_session(rec), rec


def recovery_panel(qtbot, store, clock, protocols, *, discharged: bool = False):
    """A window with a session in recovery (10 min of infusion, stopped), discharged on a
    prescriber's decision if asked, and its discharge panel open: (window, rec, panel)."""
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, baseline_vitals
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    if discharged:
        discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                                  "ready_to_leave_at": clock.now(), **PRESCRIBED})
    page = window.open_session(rec)
    page.show_tab(page.discharge)
    page.discharge.refresh()
    return window, rec, page.discharge


def sign_after_recovery(qtbot, page, rec, clock) -> None:
    """An infusion given and stopped, recovery observed, discharged, then closed and
    signed by clicking in the discharge panel."""
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    clock.advance(3700)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    rec.record_assessment({"moaas": 5}, "RN7")
    for a in rec.session.active_alarms():
        if not a.acknowledged:
            rec.acknowledge("RN7", a.alarm_id, "re-measured")
    discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                              "ready_to_leave_at": clock.now(), **PRESCRIBED})
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    type_into(qtbot, d.sign_nurse, "RN7")
    click(qtbot, d.close_button)
    click(qtbot, d.dialog.confirm_button)
    assert rec.session.phase == "closed"


# The window's client area on the two ward screens under a window manager with a
# 30 px taskbar (measured under Xvfb + icewm by tests/xvfb).
CLIENT = {(1366, 768): (1356, 709), (1280, 800): (1270, 741)}


def at_screen(qtbot, window: MainWindow, screen: tuple[int, int]) -> None:
    """The window at the client size that ``screen`` gives (the offscreen screen is
    800×800: its cap is lifted once the window has fitted itself)."""
    qtbot.waitUntil(lambda: not window.refit_timer.isActive(), timeout=3000)
    window.setMaximumSize(16777215, 16777215)
    width, height = CLIENT[screen]
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().width() == width
                    and window.size().height() == height, timeout=3000)
    QApplication.processEvents()


def pick_by_keys(qtbot, combo, text: str) -> None:
    """Choose ``text`` in a combo box with the arrow keys, as a nurse would (fails, never
    loops, when the combo does not offer it)."""
    combo.setFocus()
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert text in texts, f"{combo.accessibleName()} offers {texts}, not {text!r}"
    key = Qt.Key.Key_Down if texts.index(text) > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, key)
    assert combo.currentText() == text
