"""Start-up, resume after a crash, closing, a second window, export, flashing,
charts, accessibility, and the real program under offscreen Qt."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QSpinBox,
)

from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into
from ui.main_window import OPEN_KEY


@pytest.mark.hazard("H-201", "H-207")
def test_resume_after_crash_comes_back_as_it_was(qtbot, store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(1200)
    QSettings().setValue(OPEN_KEY, rec.session.session_id)  # left behind by a killed window
    window = make_window(qtbot, store, clock, protocols)
    assert window.page is not None
    assert window.page.recorder.session.session_id == rec.session.session_id
    assert window.page.header.phase.text() == "INFUSING"
    assert window.page.header.dose.text().startswith("8.2 mg")
    assert "Resumed after an unexpected stop" in window.notice.text()
    # Dosing runs: closing asks first (issue 23 #1); once answered, the session stays
    # the one to open at the next start.
    assert window.close() is False and window.ending.isVisible()
    click(qtbot, window.ending.end_button)
    assert not window.isVisible()
    assert QSettings().value(OPEN_KEY) == rec.session.session_id
    QSettings().remove(OPEN_KEY)


def test_close_asks_only_when_an_entry_is_half_typed(qtbot, bedside, monkeypatch):
    window, page, _rec = bedside
    asked = []

    def answer(*_a, **_k):
        asked.append(True)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    type_into(qtbot, page.vitals.edits["hr"], "7")
    window.close()
    assert asked and window.isVisible(), "half-typed entry: the nurse is asked and may cancel"
    page.vitals.edits["hr"].clear()
    asked.clear()
    window.close()
    assert not asked and not window.isVisible()


def test_problems_show_in_the_window(qtbot, bedside):
    window, _page, _rec = bedside
    from ui.common.errors import report
    report("disk is full: entry not saved")
    assert window.problem.isVisible()
    assert "disk is full" in window.problem.text()


@pytest.mark.hazard("H-221")
def test_excepthook_reports_instead_of_dying(qtbot, bedside):
    window, _page, _rec = bedside
    from ui.common.errors import _hook
    exc = RuntimeError("boom")
    _hook(RuntimeError, exc, None)
    assert "Unexpected error: RuntimeError: boom" in window.problem.text()


@pytest.mark.hazard("H-211")
def test_second_window_on_the_same_database_is_refused(store, db_path, capsys):
    from ui.entry import main
    assert main(["gui", "--db", str(db_path)]) == 1
    assert "already open for writing" in capsys.readouterr().err


def test_export_dialog_writes_and_refuses_overwrite(qtbot, bedside, tmp_path):
    _window, page, _rec = bedside
    page.export_folder = tmp_path
    dialog = page.open_export("csv")
    assert dialog.isVisible()
    written = dialog.write()
    assert written is not None and written.exists()
    assert "Wrote" in dialog.result_label.text()
    assert dialog.write() is None
    assert "already exists" in dialog.error.text()
    dialog.deidentify.setChecked(True)
    assert "deidentified" in dialog.path.text()
    dialog.close()


@pytest.mark.hazard("H-222")
def test_alarm_flash_rates_and_steady_low(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    rec.record_vitals({"sbp": "165/80"}, "RN7")
    banner = page.banner
    assert banner.flash_timers["medium"].isActive()
    assert banner.flash_timers["medium"].interval() == 1000     # 0.5 Hz
    assert not banner.flash_timers["high"].isActive()
    rec.record_vitals({"sbp": "150/80", "spo2": "90"}, "RN7")
    assert banner.flash_timers["high"].interval() == 250        # 2 Hz
    assert banner.flash_timers["high"].isActive()
    row = banner.rows[0]
    lit = row.lit
    qtbot.waitUntil(lambda: row.lit != lit, timeout=1000)
    assert row.tag.text() == "!!! HIGH"


@pytest.mark.hazard("H-213")
def test_audio_pause_countdown(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    rec.record_vitals({"sbp": "165/80"}, "RN7")
    click(qtbot, page.banner.pause)
    assert page.banner.pause.text() == "Audio paused 2:00"
    clock.advance(17)
    page.tick()
    assert page.banner.pause.text() == "Audio paused 1:43"


def test_charts_follow_live_and_pause_when_scrolled_back(qtbot, bedside, clock):
    _window, page, _rec = bedside
    charts = page.charts
    assert charts.following
    charts.plots["bp"].getViewBox().sigRangeChangedManually.emit([True, False])
    assert not charts.following and charts.live_button.isVisible()
    click(qtbot, charts.live_button)
    assert charts.following and not charts.live_button.isVisible()
    text = charts.show_crosshair(0.0)
    assert "SBP 128" in text and "HR 72" in text


def test_off_scale_values_drawn_at_the_edge(qtbot, bedside):
    _window, page, rec = bedside
    rec.record_vitals({"hr": "240"}, "RN7")
    pts = page.charts.offscale["hr"].getData()
    assert list(pts[1]) == [180.0]


def test_every_control_has_an_accessible_name(qtbot, bedside):
    _window, page, _rec = bedside
    missing = []
    for cls in (QLineEdit, QAbstractButton, QComboBox, QSpinBox, QCheckBox):
        for w in page.findChildren(cls):
            if w.parent() is not None and w.parent().metaObject().className() in (
                    "QSpinBox", "QComboBox", "QScrollBar", "QTabBar", "QAbstractScrollArea"):
                continue
            if type(w).__name__ in ("QToolButton",) or w.metaObject().className() in (
                    "QTableCornerButton",):
                continue
            if not w.accessibleName():
                missing.append(f"{w.metaObject().className()} "
                               f"{getattr(w, 'text', lambda: '')()!r} in "
                               f"{w.parent().metaObject().className()}")
    assert not missing, missing


def test_demo_plays_in_the_window_at_speed(qtbot, tmp_path):
    from monitor.clinical.protocols import load_protocols
    from ui.main_window import MainWindow
    with Store(tmp_path / "demo.db") as store:
        from monitor.clock import SystemClock
        window = MainWindow(store, SystemClock(), load_protocols())
        qtbot.addWidget(window)
        window.start_demo({"seed": 3, "speed": 3000})
        qtbot.waitUntil(lambda: window.page.recorder.session.phase == "infusing", timeout=8000)
        assert window.demo.index > 3
        window.shutdown()


def test_program_runs_offscreen_until_closed(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "ui.entry", "--db", str(tmp_path / "a.db")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        log = Path(env["XDG_STATE_HOME"]) / "ketamine-monitor" / "log" / "ketamine-monitor.log"
        # An exact condition: the window has been shown (its own log line), not a delay.
        while (time.monotonic() < deadline and proc.poll() is None
               and not (log.exists() and "window shown" in log.read_text())):
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read()
        assert "window shown" in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    text = log.read_text()
    assert "ketamine-monitor 0.1.0 starting; Python" in text
    # The log names no file (a file name may carry a patient's name) and is private.
    assert "Qt 6." in text and str(tmp_path) not in text and "database given by" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_timing_of_overdue_in_header_between_phases(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(timedelta(minutes=9, seconds=30).total_seconds())
    page.tick()
    assert "BP HR SpO2 RR in 30 s" in page.header.next_due.text()
    assert not page.header.overdue.isVisible()
    clock.advance(90)
    page.tick()
    assert "BP overdue 1 min" in page.header.overdue.text()


def test_limit_change_from_the_window_is_an_event(qtbot, bedside):
    _window, page, rec = bedside
    ev_panel = page.alarm_history.limits
    ev_panel.limit.setCurrentIndex(ev_panel.limit.findData("sbp.medium_high"))
    assert ev_panel.limit.currentText() == "SBP (mmHg): upper limit, warning"
    assert ev_panel.limit_now.text() == "now: 160"
    type_into(qtbot, ev_panel.limit_value, "170")
    click(qtbot, ev_panel.limit_button)
    assert "Reason for the change" in ev_panel.general.text()  # a reason is required
    type_into(qtbot, ev_panel.limit_reason, "known hypertension, physician order")
    click(qtbot, ev_panel.limit_button)
    assert ev_panel.limit_now.text() == "now: 170"
    last = rec.session.events[-1]
    assert last.kind.value == "limit_changed" and last.payload["old"] == 160


def test_assessment_records_anxiety_and_perceptual(qtbot, bedside):
    _window, page, rec = bedside
    a = page.assessment
    a.severity["anxiety"].setCurrentText("mild")
    a.severity["perceptual"].setCurrentText("moderate")
    click(qtbot, a.record_button)
    payload = rec.session.events[-1].payload
    assert payload == {"anxiety": "mild", "perceptual": "moderate"}


def test_charts_sit_above_the_vitals_row_and_panels_open_beside_them(qtbot, bedside):
    _window, page, _rec = bedside
    charts = page.charts.mapTo(page, page.charts.rect().topLeft())
    vitals = page.vitals.mapTo(page, page.vitals.rect().topLeft())
    assert charts.y() + page.charts.height() <= vitals.y()
    assert not page.drawer.panel.isVisible()
    click(qtbot, page.drawer.buttons[page.log])
    assert page.drawer.panel.isVisible() and page.drawer.current() is page.log
    panel = page.drawer.panel.mapTo(page, page.drawer.panel.rect().topLeft())
    assert panel.x() >= charts.x() + page.charts.width()  # beside, not over, the charts
    click(qtbot, page.drawer.close_button)
    assert not page.drawer.panel.isVisible()
