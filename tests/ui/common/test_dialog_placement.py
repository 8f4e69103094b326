"""Dialogs over the bedside window open under the alarm banner, never on it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from tests.support.window import at_screen, click, type_into


def _global(w: QWidget) -> QRect:
    return QRect(w.mapToGlobal(QPoint(0, 0)), w.size())


def test_the_devices_dialog_opens_under_a_high_alarm_and_fits_below_it(bedside, qtbot):
    window, page, rec = bedside
    at_screen(qtbot, window, (1366, 768))
    type_into(qtbot, page.vitals.edits["spo2"], "89", enter=True)
    assert rec.session.latest("spo2")[1] == 89
    qtbot.waitUntil(lambda: page.banner.rows[0].isVisible(), timeout=3000)
    click(qtbot, window.devices_button)
    panel = window.device_panel
    assert panel.isVisible()
    qtbot.waitUntil(lambda: panel.frameGeometry().top() > _global(page.banner).bottom(),
                    timeout=3000)
    assert not panel.frameGeometry().intersects(_global(page.banner.rows[0]))
    assert panel.frameGeometry().bottom() <= window.screen().availableGeometry().bottom()
    panel.shutdown()


def test_the_artifact_choice_opens_under_the_alarm_it_would_end(bedside, qtbot):
    window, page, rec = bedside
    at_screen(qtbot, window, (1366, 768))
    type_into(qtbot, page.vitals.edits["sbp"], "190/115")
    type_into(qtbot, page.vitals.edits["spo2"], "89", enter=True)
    qtbot.waitUntil(lambda: page.banner.rows[1].isVisible(), timeout=3000)
    reading = max((e for e in rec.session.entry_list if e.kind.value == "vitals_recorded"),
                  key=lambda e: e.seq)
    page.show_tab(page.log)
    assert page.log.select_seq(reading.seq)
    click(qtbot, page.log.artifact_button)
    dialog = page.log.artifact_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.frameGeometry().top() > _global(page.banner).bottom(),
                    timeout=3000)
    for row in page.banner.rows[:2]:
        assert not dialog.frameGeometry().intersects(_global(row))
    dialog.reject()
