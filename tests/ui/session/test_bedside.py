"""The bedside window's interaction: real clicks and keys on the real window,
and what the database holds afterwards."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from monitor.record.recorder import QUICK_EVENTS
from tests.support.window import (
    click,
    sign_after_recovery,
    type_into,
)
from ui.main_window import GEOMETRY_KEY


def stored(store, rec, kind: str) -> list:
    return [e for e in store.events(rec.session.session_id) if e.kind.value == kind]


def test_every_quick_event_button_records_its_own_event(qtbot, bedside, store):
    _window, page, rec = bedside
    page.show_tab(page.events)
    for code, b in page.events.quick_buttons.items():
        if code in ("antiemetic", "benzodiazepine", "antihypertensive"):
            type_into(qtbot, page.events.drug_dose, "4")
        click(qtbot, b)
        assert page.events.general.isHidden(), page.events.general.text()
    events = stored(store, rec, "quick_event")
    assert [e.payload["code"] for e in events] == list(QUICK_EVENTS)
    assert [e.payload["label"] for e in events] == list(QUICK_EVENTS.values())
    assert events[4].payload["dose"] == 4  # antiemetic with its dose


def test_alt_digit_records_from_anywhere_and_types_nothing(qtbot, bedside, store):
    _window, page, rec = bedside
    assert page.drawer.current() is None  # the events panel is closed
    sbp = page.vitals.edits["sbp"]
    sbp.setFocus()
    qtbot.waitUntil(sbp.hasFocus, timeout=2000)
    qtbot.keyClick(sbp, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert sbp.text() == ""
    assert [e.payload["code"] for e in stored(store, rec, "quick_event")] == ["vomiting"]


@pytest.mark.parametrize("fmt", ["pdf", "csv", "json", "fhir"])
def test_export_buttons_open_the_dialog_on_their_format(qtbot, bedside, fmt):
    _window, page, _rec = bedside
    page.show_tab(page.discharge)
    button = next(b for b in page.discharge.export_buttons
                  if b.text() == f"Export {fmt.upper()}")
    click(qtbot, button)
    dialog = page.export_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.format.currentText() == fmt
    dialog.close()


def test_enter_activates_the_focused_button(qtbot, bedside, store):
    _window, page, rec = bedside
    page.show_tab(page.assessment)
    click(qtbot, page.assessment.sedation_buttons[5])
    record = page.assessment.record_button
    record.setFocus()
    qtbot.waitUntil(record.hasFocus, timeout=2000)
    before = len(stored(store, rec, "assessment_recorded"))
    qtbot.keyClick(record, Qt.Key.Key_Return)
    assert len(stored(store, rec, "assessment_recorded")) == before + 1


def _wheel(widget, up: bool = True) -> None:
    delta = 120 if up else -120
    event = QWheelEvent(QPointF(5, 5), QPointF(widget.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, delta), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_changes_a_spin_box_only_when_it_has_focus(qtbot, bedside):
    _window, page, _rec = bedside
    page.show_tab(page.assessment)
    pain = page.assessment.pain
    assert pain.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus from the wheel
    page.vitals.focus_first()
    qtbot.waitUntil(lambda: not pain.hasFocus(), timeout=2000)
    _wheel(pain)
    assert pain.value() == pain.minimum()  # still "not rated"
    pain.setFocus()
    qtbot.waitUntil(pain.hasFocus, timeout=2000)
    _wheel(pain)
    assert pain.value() == pain.minimum() + 1
    pain.setValue(pain.minimum())  # leave nothing half-typed behind


def test_alarm_rows_one_per_parameter_and_keyboard_acknowledge(qtbot, bedside, store, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "26"}, "RN7")
    banner = page.banner
    active = rec.session.active_alarms()
    params = {a.parameter for a in active}
    assert len(active) >= 5 and len(params) >= 4
    shown = [r for r in banner.rows if r.isVisible()]
    assert len(shown) == 2  # at most two rows ...
    assert banner.more.isVisible() and banner.more.text() == (
        f"+{sum(len(g) for g in banner.groups[2:])} more")  # ... then "+N more"
    for row, group in zip(shown, banner.groups, strict=False):
        assert {a.parameter for a in group} == {group[0].parameter}  # one parameter a row
        assert set(row.alarm_ids) == {a.alarm_id for a in group}
        assert group[0].rank == max(a.rank for a in group)  # the highest priority, large
        assert row.text.text().split()[0] == group[0].message.split()[0]
        if len(group) > 1 or "(also: " in group[0].message:  # the other reasons under it
            assert row.others.isVisible() and row.others.text().startswith("also: ")
    # 190/115: the SBP limit is the row's reason; the DBP limit, the rises over baseline and
    # the rate of rise are listed under it, in the same row, acknowledged once.
    sbp_row = next(r for r, g in zip(shown, banner.groups, strict=False)
                   if g[0].parameter == "sbp")
    assert sbp_row.text.text() == "SBP 190 ≥ 180"
    assert "DBP 115 ≥ 110" in sbp_row.others.text()
    assert "SBP +62 mmHg over baseline 128" in sbp_row.others.text()
    assert sum(len(g) for g in banner.groups) == len(active)

    # Two keys: Ctrl+K opens the form for the first row, Enter acknowledges all of it.
    first = banner.rows[0]
    ids = list(first.pending_ids())
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert banner.ack_panel.isVisible() and not first.isVisible()  # takes the row's place
    qtbot.keyClick(banner.action, Qt.Key.Key_Return)
    acks = stored(store, rec, "alarm_acknowledged")
    assert sorted(e.payload["alarm_id"] for e in acks) == sorted(ids)
    # Row by row, two keys each, until nothing waits; then the rows are outlined.
    for _ in range(len(banner.groups)):
        qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(banner.action, Qt.Key.Key_Return)
    assert all(a.acknowledged for a in rec.session.active_alarms())
    for row in (r for r in banner.rows if r.isVisible()):
        assert row.acknowledged and not row.flashing and not row.ack.isVisible()
        assert row.detail.text().startswith("ack'd by RN7 ")
        assert "dashed" in row.styleSheet()  # outlined, not filled
    assert not banner.flash_timers["high"].isActive()


def test_confirmations_are_a_small_modal_that_takes_enter(qtbot, bedside, store):
    _window, page, rec = bedside
    page.show_tab(page.infusion)
    click(qtbot, page.infusion.start_button)
    dialog = page.infusion.dialog
    assert dialog.isVisible() and dialog.isModal()
    assert "0.35 mg/kg/h = 24.5 mg/h" in dialog.question.text()
    assert stored(store, rec, "infusion_started") == []
    qtbot.waitUntil(dialog.confirm_button.hasFocus, timeout=2000)
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    assert len(stored(store, rec, "infusion_started")) == 1
    assert not dialog.isVisible()


@pytest.mark.hazard("H-219")
def test_every_kind_of_entry_takes_the_time_it_happened(qtbot, bedside, store, clock):
    _window, page, rec = bedside
    clock.advance(1800)
    local = (clock.now() - timedelta(minutes=10)).astimezone()
    hhmm = f"{local:%H:%M}"
    page.show_tab(page.infusion)
    type_into(qtbot, page.infusion.time, hhmm)
    click(qtbot, page.infusion.start_button)
    assert f"(at {hhmm})" in page.infusion.question.text()
    click(qtbot, page.infusion.confirm_button)
    page.show_tab(page.events)
    type_into(qtbot, page.events.time, hhmm)
    click(qtbot, page.events.quick_buttons["nausea"])
    type_into(qtbot, page.events.time, hhmm)
    for edit, text in ((page.events.med_drug, "ondansetron"), (page.events.med_dose, "4")):
        type_into(qtbot, edit, text)
    click(qtbot, page.events.med_button)
    type_into(qtbot, page.events.time, hhmm)
    type_into(qtbot, page.events.note, "feels warm", enter=True)
    page.show_tab(page.assessment)
    click(qtbot, page.assessment.sedation_buttons[5])
    type_into(qtbot, page.assessment.time, hhmm)
    click(qtbot, page.assessment.record_button)
    for kind in ("infusion_started", "quick_event", "medication_given", "note_added",
                 "assessment_recorded"):
        event = stored(store, rec, kind)[-1]
        assert f"{event.observed_at.astimezone():%H:%M}" == hhmm, kind
        assert event.recorded_at - event.observed_at >= timedelta(minutes=9), kind


def test_a_bad_time_is_named_next_to_its_field_and_nothing_is_saved(qtbot, bedside, store):
    _window, page, rec = bedside
    page.show_tab(page.events)
    type_into(qtbot, page.events.time, "25:99")
    click(qtbot, page.events.quick_buttons["nausea"])
    assert page.events.time_error.isVisible()
    assert "clock time like 14:05" in page.events.time_error.text()
    assert stored(store, rec, "quick_event") == []
    type_into(qtbot, page.events.time, "1")  # editing the field clears its message
    assert page.events.time_error.isHidden()


def test_theme_toggle_asks_before_throwing_away_a_half_typed_entry(qtbot, themed, bedside,
                                                                   monkeypatch):
    window, page, _rec = bedside
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: (
        asked.append(True), QMessageBox.StandardButton.Cancel)[1])
    type_into(qtbot, page.vitals.edits["hr"], "88")
    click(qtbot, window.theme_button)
    assert asked and window.page is page and page.vitals.edits["hr"].text() == "88"
    page.vitals.edits["hr"].clear()
    click(qtbot, window.theme_button)  # nothing half-typed: switches without asking
    assert len(asked) == 1 and window.theme_button.text() == "Dark theme"
    click(qtbot, window.theme_button)


@pytest.mark.hazard("H-223")
def test_window_never_larger_than_the_screen_nor_saved_so(qtbot, bedside):
    window, _page, rec = bedside
    avail = window.screen().availableGeometry()
    window.resize(avail.width() + 900, avail.height() + 700)
    window.fit_to_screen()
    assert window.width() <= avail.width() and window.height() <= avail.height()
    window.close()
    saved = QSettings().value(GEOMETRY_KEY)
    if saved is not None:
        from ui.main_window import MainWindow
        probe = MainWindow(rec.store, window.clock, window.protocols)
        qtbot.addWidget(probe)
        assert probe.width() <= avail.width() and probe.height() <= avail.height()
        probe.shutdown()


def test_header_words_time_and_a_paused_rate_as_a_monitor_does(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(125 * 60)
    page.tick()
    assert page.header.elapsed.text() == "T+2 h 05 min"
    rec.pause_infusion("RN7", "nausea")
    assert page.header.rate.text() == "at 0.35 mg/kg/h · 24.5 mg/h"
    assert page.header.phase.text() == "‖ PAUSED"
    assert "0.0 mg/h" not in page.header.rate.text()


def test_errors_show_clock_times_not_iso_stamps(qtbot, bedside, clock):
    _window, page, _rec = bedside
    page.show_tab(page.events)
    future = (clock.now() + timedelta(minutes=30)).astimezone()
    type_into(qtbot, page.events.time, f"{future:%H:%M}")
    click(qtbot, page.events.quick_buttons["nausea"])
    text = page.events.time_error.text() + page.events.general.text()
    assert f"{future:%H:%M}" in text and "T" not in text.split(":")[0][-3:]
    assert "+00:00" not in text and ".000" not in text


def test_closed_session_locks_entry_and_stops_timers(qtbot, bedside, clock):
    _window, page, rec = bedside
    sign_after_recovery(qtbot, page, rec, clock)
    d = page.discharge
    assert not page.vitals.isEnabled() and not page.assessment.isEnabled()
    assert not any(b.isEnabled() for b in page.events.quick_buttons.values())
    assert page.events.note.isEnabled() and page.events.note_button.text() == "Add addendum"
    assert not d.close_button.isEnabled() and not d.discharge_button.isEnabled()
    before = len(rec.session.events)
    clock.advance(3600)
    page.tick()
    assert len(rec.session.events) == before  # no overdue alarms on a signed record


def test_charts_scales_limit_lines_spans_and_labels(qtbot, bedside, clock):
    _window, page, rec = bedside
    charts = page.charts
    ranges = {}
    # Short lanes with a tick at the scale's end keep room for its label (issue 23 #17:
    # the MOAA/S lane had no tick labels): 30 % each side, else 4 %.
    for key, plot in charts.plots.items():
        (_x0, _x1), (y0, y1) = plot.getViewBox().viewRange()
        share = 0.3 if key in ("spo2", "sed", "scores") else 0.04
        pad = (y1 - y0) * share / (1 + 2 * share)
        ranges[key] = (round(y0 + pad), round(y1 - pad))
    assert ranges["bp"] == (40, 220) and ranges["hr"] == (30, 180)
    assert ranges["spo2"] == (80, 100) and ranges["rr"] == (0, 40)
    assert ranges["sed"] == (0, 5) and ranges["scores"] == (0, 10)  # MOAA/S on its own
    grid = sorted(v for level in charts.plots["bp"].getAxis("left")._tickLevels
                  for v, _t in level)
    assert [b - a for a, b in itertools.pairwise(grid)] == [20] * (len(grid) - 1)
    # Lines at the values that alarm, labelled; DBP's dotted.
    import pyqtgraph as pg
    lines = [item for _plot, item in charts.bands["bp"] if isinstance(item, pg.InfiniteLine)]
    at = {round(line.value()) for line in lines}
    assert {180, 160, 100, 90, 110} <= at  # SBP 160/180 and 90/100, DBP 100/110
    labels = [line.label.format for line in lines if getattr(line, "label", None)]
    assert "SBP ≥160 ≥180" in labels and "DBP ≥100 ≥110" in labels
    dbp = next(line for line in lines if round(line.value()) == 110)
    assert dbp.pen.style() == Qt.PenStyle.DotLine
    # Events close together get their own rows; none overlap.
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    for code in ("nausea", "vomiting", "anxiety"):
        rec.quick_event("RN7", code)
    shown = [(line.label.pos().x(), line.label.orthoPos, line.label.textItem.boundingRect())
             for e in charts.event_labels for line in (e.line,) if line.label.isVisible()]
    rows = [p for _x, p, _r in shown]
    assert len(set(rows)) == len(rows)  # same instant: one row each
    assert all(e.line.label.toolTip() for e in charts.event_labels)
    # "now", the spans, and the whole session once dosing has ended.
    assert abs(charts.now_lines[0].value() - float(charts._x(clock.now().timestamp()))) < 0.1
    clock.advance(90 * 60)
    rec.record_vitals({"sbp": "130/80"}, "RN7")
    click(qtbot, charts.span_buttons["30 min"])
    (x0, x1), _ = charts.plots["bp"].getViewBox().viewRange()
    assert 29 <= x1 - x0 <= 31 and x0 <= charts.now_lines[0].value() <= x1
    charts.span_chosen = False
    clock.advance(3600)
    rec.stop_infusion("RN7")
    assert charts.span_buttons["All"].isChecked() and charts.window_min is None


@pytest.mark.hazard("H-254")
def test_event_labels_never_cover_a_limit_label(qtbot, bedside, clock):
    """At 1366×768 the BP lane is short: the infusion's "start" label, at the lane's
    left edge, used to sit on the SBP limit label there."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF

    window, page, rec = bedside
    window.resize(1366, 768)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    for code in ("nausea", "music_on", "anxiety"):
        clock.advance(120)
        page.events.quick(code)
    click(qtbot, page.charts.span_buttons["30 min"])
    qtbot.waitUntil(lambda: window.height() <= 768, timeout=3000)
    QApplication.processEvents()

    def tight(label) -> QRectF:
        fm = QFontMetricsF(label.textItem.font())
        w, h = fm.horizontalAdvance(label.textItem.toPlainText()), fm.height()
        c = label.sceneBoundingRect().center()
        return QRectF(c.x() - w / 2, c.y() - h / 2, w, h)

    limits = [item.label for _p, item in page.charts.bands["bp"]
              if getattr(item, "label", None) is not None and item.label.isVisible()]
    events = [e.line.label for e in page.charts.event_labels if e.line.label.isVisible()]
    # "start", or "start +3" when the quick events beside it are counted into its label
    assert any(e.textItem.toPlainText().startswith("start") for e in events)
    crossing = [(e.textItem.toPlainText(), lim.textItem.toPlainText())
                for e in events for lim in limits if tight(e).intersects(tight(lim))]
    assert limits and crossing == []
