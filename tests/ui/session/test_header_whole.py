"""The header never cuts the patient's name and id (shorter wording elsewhere, never
fewer facts), NEWS2 says why consciousness scored V when the nurse chose A, and the
chart's clock axis never runs its labels together (the trial at 1280×800: "J. …" with
alarms active, the name gone while paused, "NEWS2 — no RR, SpO2 …", "time: minutes
since inf…", and "04:5104:5304:55" with the Assessment panel open)."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel

from monitor.record.recorder import Recorder
from tests.conftest import CHECKLIST_DONE, OPENING
from tests.support.window import at_screen, click, make_window, type_into

SCREENS = [(1280, 800), (1366, 768)]
TRIAL = {**OPENING, "patient_id": "MRN204517", "display_name": "J. Smith", "weight_kg": "72"}


def whole(lab: QLabel) -> bool:
    """The label's text is drawn whole: it fits the label's own width."""
    return lab.fontMetrics().horizontalAdvance(lab.text()) <= lab.contentsRect().width()


def _open(qtbot, store, clock, protocols, screen):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(TRIAL))
    page = window.open_session(rec)
    at_screen(qtbot, window, screen)
    return window, page, rec


def _vitals(qtbot, page, values: dict[str, str]) -> None:
    edits = page.vitals.edits
    keys = [k for k in edits if k in values]
    for key in keys:
        type_into(qtbot, edits[key], values[key], enter=key == keys[-1])


@pytest.mark.hazard("H-333")
@pytest.mark.parametrize("screen", SCREENS)
def test_the_patients_name_and_id_are_never_cut(qtbot, themed, store, clock, protocols,
                                                screen):
    _window, page, rec = _open(qtbot, store, clock, protocols, screen)
    header = page.header
    assert header.patient.text() == "MRN204517 · 72 kg · J. Smith" and whole(header.patient)
    # Before any vitals: NEWS2 names every missing part, never an ellipsis.
    assert "…" not in header.news2.text() and whole(header.news2)
    assert whole(page.charts.readout) and "…" not in page.charts.readout.text()
    _vitals(qtbot, page, {"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14",
                          "temp": "36.8"})
    rec.record_assessment({"moaas": 5, "acvpu": "A"}, "RN7")
    rec.record_checklist("RN7", CHECKLIST_DONE)
    rec.start_infusion("RN7", rate="0.25", rate_unit="mg/kg/h", concentration="1")
    clock.advance(60)
    _vitals(qtbot, page, {"sbp": "190/115", "hr": "96", "spo2": "89", "rr": "16"})
    QApplication.processEvents()
    assert len(rec.session.active_alarms()) >= 2
    for lab in (header.patient, header.phase, header.rate, header.dose, header.news2):
        assert whole(lab), (lab.accessibleName(), lab.text())
    rec.pause_infusion("RN7", "nausea")
    page.tick()
    QApplication.processEvents()
    assert header.phase.text() == "‖ PAUSED"
    for lab in (header.patient, header.phase, header.rate, header.dose, header.news2):
        assert lab.isVisible() and whole(lab), (lab.accessibleName(), lab.text())
    # the prescription and the pump's mL/h are never dropped (the mg/h may go to hover)
    assert "0.25 mg/kg/h" in header.rate.text() and "18 mL/h" in header.rate.text()
    assert "18 mg/h" in header.rate.toolTip()
    assert header.patient.geometry().right() < header.phase.geometry().left()


@pytest.mark.hazard("H-334")
@pytest.mark.parametrize("screen", SCREENS)
def test_news2_says_consciousness_came_from_the_sedation_score(
        qtbot, themed, store, clock, protocols, screen):
    window, page, rec = _open(qtbot, store, clock, protocols, screen)
    _vitals(qtbot, page, {"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14",
                          "temp": "36.8"})
    rec.record_checklist("RN7", CHECKLIST_DONE)
    qtbot.keyClick(window, Qt.Key.Key_F3)  # the Assessment panel, by its key
    panel = page.assessment
    click(qtbot, panel.sedation_buttons[4])  # MOAA/S 4: lethargic response to name
    combo = panel.acvpu
    combo.setFocus()
    qtbot.keyClicks(combo, "A")
    assert combo.currentText().startswith("A")
    click(qtbot, panel.record_button)
    QApplication.processEvents()
    news2 = page.header.news2
    assert "C: V from MOAA/S 4" in news2.text() and whole(news2)
    tip = news2.toolTip()
    assert "Consciousness V from MOAA/S 4" in tip and "ACVPU A recorded is overruled" in tip
    assert whole(page.header.patient)


@pytest.mark.hazard("H-333")
@pytest.mark.parametrize("screen", SCREENS)
def test_the_clock_axis_labels_never_overlap_with_a_panel_open(
        qtbot, themed, store, clock, protocols, screen):
    window, page, _rec = _open(qtbot, store, clock, protocols, screen)
    for key in (Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5, Qt.Key.Key_F6):
        qtbot.keyClick(window, key)
        QApplication.processEvents()
        for span in ("30 min", "1 h", "2 h", "All"):
            click(qtbot, page.charts.span_buttons[span])
            QApplication.processEvents()
            axis = page.charts.plots["bp"].getAxis("top")
            image = QImage(8, 8, QImage.Format.Format_ARGB32)
            painter = QPainter(image)
            texts = axis.generateDrawSpecs(painter)[2]  # what the axis draws: its labels
            painter.end()
            rects = [r for r, _flags, _text in texts]
            rects.sort(key=lambda r: r.left())
            for a, b in itertools.pairwise(rects):
                assert a.right() + 4 <= b.left(), (key, span, axis.width())
            assert rects, (key, span)
