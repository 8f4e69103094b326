"""The window's artifact flag and acknowledgement, by clicks and keys (issue 23
points 6 and 7, CLINICAL §5)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.clinical.rules.artifacts import ENDED_REASON
from monitor.model.events import EventKind
from tests.support.window import click, type_into

BP = ("sbp", "dbp", "map")


def trial(rec, clock) -> int:
    """The trial: 150/90 at 5 min (SBP up 22: medium), then at 8 min a bad cuff
    reading 186/104 taken with a real SpO2 89 and HR 125."""
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(300)
    rec.record_vitals({"sbp": "150", "dbp": "90", "hr": "80", "spo2": "97", "rr": "14",
                       "temp": "36.8"}, "RN7")
    clock.advance(180)
    seq = rec.record_vitals({"sbp": "186", "dbp": "104", "hr": "125", "spo2": "89",
                             "rr": "14", "temp": "36.8"}, "RN7").seq
    # SpO2, HR and NEWS2 seen (their rows go below): the BP row is the first one shown
    # (an unacknowledged medium NEWS2 would take the other row, and the still-active HIGH
    # SpO2 keeps the last row shown: a HIGH is never pushed out by mediums).
    for a in rec.session.active_alarms():
        if a.key in ("spo2", "hr", "news2"):
            rec.acknowledge("RN7", a.alarm_id, "re-measured")
    return seq


def row_of(page, key: str):
    banner = page.banner
    return next(r for r, g in zip(banner.rows, banner.groups, strict=False)
                if g[0].key == key and r.isVisible())


@pytest.mark.hazard("H-040", "H-042", "H-048")
def test_flag_artifact_asks_which_values_says_what_ends_and_confirms(qtbot, bedside, clock):
    _window, page, rec = bedside
    seq = trial(rec, clock)
    assert row_of(page, "bp").priority == "high"
    page.show_tab(page.log)
    assert page.log.select_seq(seq)
    type_into(qtbot, page.log.reason, "cuff slipped")
    click(qtbot, page.log.artifact_button)
    dialog = page.log.artifact_dialog
    assert dialog.isVisible()
    # One box per value of the reading; a cuff reading has its BP ticked, nothing else.
    assert list(dialog.boxes) == ["sbp", "dbp", "map", "hr", "spo2", "rr", "temp"]
    assert [k for k, b in dialog.boxes.items() if b.isChecked()] == list(BP)
    assert "SBP 186 ≥ 180" in dialog.ends.text() and "SpO2" not in dialog.ends.text()
    click(qtbot, dialog.boxes["spo2"])  # ticking SpO2 would end its alarm too: it says so
    assert "SpO2 89 ≤ 91" in dialog.ends.text()
    click(qtbot, dialog.boxes["spo2"])
    assert "SpO2" not in dialog.ends.text()
    # Nothing is asked about an invalid flag: the reason is required.
    dialog.reason.clear()
    click(qtbot, dialog.flag_button)
    assert dialog.reason_error.isVisible() and not dialog.confirm.isVisible()
    type_into(qtbot, dialog.reason, "cuff slipped")
    click(qtbot, dialog.flag_button)
    question = dialog.confirm.question.text()
    assert dialog.confirm.isVisible()
    assert "Flag Systolic BP, Diastolic BP, Mean arterial pressure" in question or (
        "Flag Systolic BP, Diastolic BP" in question)
    assert "Ends: HIGH SBP 186 ≥ 180" in question
    assert "Stays: Heart rate, SpO2" in question
    assert not any(e.kind is EventKind.ARTIFACT for e in rec.session.events)
    click(qtbot, dialog.confirm.confirm_button)
    assert not dialog.isVisible()
    flag = next(e for e in rec.session.events if e.kind is EventKind.ARTIFACT)
    assert flag.payload["parameters"] == list(BP)
    # The rest of the BP row at its own priority; SpO2 and HR untouched.
    bp = row_of(page, "bp")
    assert bp.priority == "medium" and bp.text.text().startswith("SBP up 22")
    assert "HIGH" not in bp.tag.text()
    spo2 = next(g for g in page.banner.groups if g[0].key == "spo2")
    assert spo2[0].priority == "high" and spo2[0].active and spo2[0].acknowledged
    assert page.rail.values["spo2"].text() == "89"


@pytest.mark.hazard("H-043")
def test_banner_prompt_and_history_say_the_same(qtbot, bedside, clock):
    _window, page, rec = bedside
    seq = trial(rec, clock)
    rec.flag_artifact("RN7", seq, "cuff slipped", parameters=list(BP))
    bp = row_of(page, "bp")
    shown = bp.text.text()
    ended = next(a for a in rec.session.alarms.values() if a.resolved_reason == ENDED_REASON)
    current = rec.session.alarms[rec.session.active_alarm_by_key["bp"]]
    click(qtbot, bp.ack)
    assert page.banner.ack_for.text().startswith(f"Acknowledge “{shown}")
    page.show_tab(page.alarm_history)
    history = page.alarm_history
    history.refresh()
    texts = {history.table.item(r, 2).text(): r for r in range(history.table.rowCount())}
    assert shown.split(" (also: ")[0] in {t.split(" (also: ")[0] for t in texts}
    row = texts[current.message]
    assert history.table.item(row, 1).text().endswith("MEDIUM")
    old = texts[ended.message]
    assert ENDED_REASON in history.table.item(old, 5).text()
    click(qtbot, page.banner.ack_cancel)


@pytest.mark.hazard("H-044")
def test_acknowledgement_action_defaults_to_seen_every_time(qtbot, bedside, clock, store):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "26"}, "RN7")
    banner = page.banner
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert banner.action.currentText() == "seen"
    while banner.action.currentText() != "physician informed":
        qtbot.keyClick(banner.action, Qt.Key.Key_Down)
    qtbot.keyClick(banner.action, Qt.Key.Key_Return)
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert banner.action.currentText() == "seen"
    qtbot.keyClick(banner.action, Qt.Key.Key_Return)
    acks = [e.payload["action"] for e in store.events(rec.session.session_id)
            if e.kind is EventKind.ALARM_ACKNOWLEDGED]
    assert acks[0] == "physician informed"
    assert acks[1:] and set(acks[1:]) == {"seen"}
    # Cancelled half-way: the next opening still offers "seen".
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert banner.ack_panel.isVisible()
    qtbot.keyClick(banner.action, Qt.Key.Key_Down)
    click(qtbot, banner.ack_cancel)
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert banner.action.currentText() == "seen"
    click(qtbot, banner.ack_cancel)


def _colour(lab) -> str:
    return lab.styleSheet().split("color:")[1].split(";")[0].strip()


@pytest.mark.hazard("H-045")
def test_a_chart_read_out_goes_when_the_pointer_leaves(qtbot, bedside):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtWidgets import QApplication

    from ui.charts.charts import READOUT_HINTS
    _window, page, _rec = bedside
    charts = page.charts
    view = charts.glw.viewport()
    box = charts.plots["bp"].sceneBoundingRect().center()
    at = charts.glw.mapFromScene(box)
    qtbot.mouseMove(view, QPoint(at.x(), at.y()))
    qtbot.waitUntil(lambda: "SBP 128" in charts.readout.text(), timeout=2000)
    text = charts.readout.text()
    assert text.startswith("⌖ at ") and " min):" in text  # its time first, in words
    assert "italic" in charts.readout.styleSheet() and "dashed" in charts.readout.styleSheet()
    assert any(line.isVisible() for line in charts.cursor_lines)
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))  # the pointer leaves the chart
    assert charts.readout.text() in READOUT_HINTS  # the hint, the longest that fits whole
    assert charts.readout.styleSheet() == ""
    assert not any(line.isVisible() for line in charts.cursor_lines)


@pytest.mark.hazard("H-046")
def test_alarm_age_is_the_reading_s_and_the_rail_colours_the_value(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "186", "dbp": "84"}, "RN7")
    from ui.common import theme
    assert _colour(page.rail.values["bp"]) == theme.alarm_text("high")
    clock.advance(240)
    rec.record_vitals({"sbp": "188", "dbp": "84"}, "RN7")
    row = row_of(page, "bp")
    assert "reading 0 s ago" in row.detail.text()  # not the row's 4 min
    clock.advance(60)
    rec.record_vitals({"sbp": "130", "dbp": "80"}, "RN7")  # back in range: latched
    row = row_of(page, "bp")
    assert "LATCHED" in row.detail.text() and row.priority == "high"
    # Latched, the row shows the reason that raised it, with that reading's age.
    assert row.text.text() == "SBP 186 ≥ 180" and "reading 5 min ago" in row.detail.text()
    # The rail shows 130/80 in the colour of 130/80, not of the latched alarm.
    assert page.rail.values["bp"].text() == "130/80"
    assert _colour(page.rail.values["bp"]) == theme.current().text


@pytest.mark.hazard("H-042", "H-043")
def test_a_lower_reason_never_shows_under_a_higher_word(qtbot, bedside, clock):
    """HIGH SBP 186, then 165 (a medium reason): the HIGH row keeps saying what it was
    raised for, and the prompt and the history say the same."""
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "186", "dbp": "84"}, "RN7")
    clock.advance(60)
    rec.record_vitals({"sbp": "165", "dbp": "84"}, "RN7")
    row = row_of(page, "bp")
    assert row.priority == "high"
    assert row.text.text() == "SBP 186 ≥ 180"
    click(qtbot, row.ack)
    assert page.banner.ack_for.text().startswith("Acknowledge “SBP 186 ≥ 180")
    page.show_tab(page.alarm_history)
    page.alarm_history.refresh()
    table = page.alarm_history.table
    texts = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert [t.split(" (also: ")[0] for t in texts if t.startswith("SBP")] == ["SBP 186 ≥ 180"]
    click(qtbot, page.banner.ack_cancel)
