"""The log and the charts draw from the recorder's notifications: an entry adds exactly
its rows and points, a correction (a rebuild) redraws everything with the corrected
value, and a tick with nothing new redraws nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from monitor.model.events import EventKind
from tests.support.window import click, open_session_window, type_into
from ui.common.texts import clock as hhmm


@pytest.fixture
def page_rec(qtbot, store, clock, protocols):
    _window, page, rec = open_session_window(qtbot, store, clock, protocols)
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    return page, rec


def _points(page) -> dict[str, int]:
    """Points each curve holds (the data handed to it, before clipping to the view)."""
    return {name: len(curve.xData) for name, curve in page.charts.curves.items()
            if curve.xData is not None}


def _record_vitals(qtbot, page, values: dict[str, str]):
    """Type a vitals set and click Record; the notification it caused."""
    for key, text in values.items():
        type_into(qtbot, page.vitals.edits[key], text)
    with qtbot.waitSignal(page.bridge.changed, timeout=5_000) as told:
        click(qtbot, page.vitals.record_button)
    return told.args[0]


def test_an_entry_adds_exactly_its_rows_and_points(qtbot, page_rec, clock) -> None:
    page, rec = page_rec
    model, charts = page.log.model, page.charts
    clock.advance(300)
    rows, points = model.rowCount(), _points(page)
    sbp_marks = len(charts.marks["sbp"].data)
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))
    with qtbot.assertNotEmitted(model.modelReset):
        change = _record_vitals(qtbot, page, {"sbp": "131/79", "hr": "76", "spo2": "97",
                                              "rr": "15"})
    assert not change.rebuilt and change.events[0].kind is EventKind.VITALS
    assert model.rowCount() == rows + len(change.events) == len(rec.session.events)
    assert sum(inserted) == len(change.events)
    assert model.rows[-len(change.events):] == change.events  # newest last, once each
    grown = {name: n - points[name] for name, n in _points(page).items()}
    assert grown == {name: (1 if name in ("hr", "spo2", "rr", "map") else 0)
                     for name in points}
    assert charts.curves["hr"].yData[-1] == 76
    assert len(charts.marks["sbp"].data) == sbp_marks + 1

    # An event from the palette: one line in every lane, one more row.
    page.show_tab(page.events)
    lines, rows = len(charts.event_lines), model.rowCount()
    with qtbot.waitSignal(page.bridge.changed, timeout=5_000):
        click(qtbot, page.events.quick_buttons["nausea"])
    assert len(charts.event_lines) == lines + len(charts.plots)
    assert model.rowCount() == rows + 1
    assert _points(page)["hr"] == points["hr"] + 1  # no point added, none drawn twice


def test_a_back_dated_note_goes_to_its_time_without_a_reload(qtbot, page_rec, clock) -> None:
    page, rec = page_rec
    model = page.log.model
    clock.advance(600)
    rec.add_note("RN7", "settled")
    page.show_tab(page.events)
    rows = model.rowCount()
    earlier = rec.session.opened_at + timedelta(minutes=5)
    with qtbot.assertNotEmitted(model.modelReset):
        type_into(qtbot, page.events.time, hhmm(earlier))
        type_into(qtbot, page.events.note, "late entry: warm blanket given")
        click(qtbot, page.events.note_button)
    assert model.rowCount() == rows + 1
    times = [(e.observed_at, e.seq) for e in model.rows]
    assert times == sorted(times)
    note = next(e for e in model.rows if e.payload.get("text", "").startswith("late"))
    assert note.observed_at == earlier
    assert model.rows[-1].payload.get("text") == "settled"  # still the newest


def test_an_amendment_redraws_everything_with_the_corrected_value(qtbot, page_rec,
                                                                  clock) -> None:
    page, rec = page_rec
    model, charts = page.log.model, page.charts
    clock.advance(300)
    _record_vitals(qtbot, page, {"sbp": "132/80", "hr": "91", "spo2": "97", "rr": "15"})
    clock.advance(300)
    _record_vitals(qtbot, page, {"sbp": "130/80", "hr": "74", "spo2": "97", "rr": "15"})
    target = [e for e in rec.session.events if e.kind is EventKind.VITALS][-2]
    page.show_tab(page.log)
    assert page.log.select_seq(target.seq)
    points = _points(page)
    click(qtbot, page.log.amend_button)
    form = page.log.amend_dialog
    type_into(qtbot, form.edits["hr"], "81")
    with qtbot.waitSignal(model.modelReset, timeout=5_000), \
            qtbot.waitSignal(page.bridge.changed, timeout=5_000) as told:
        type_into(qtbot, form.reason, "misread the display", enter=True)
    assert told.args[0].rebuilt
    assert model.rowCount() == len(rec.session.events)
    row = [e.seq for e in model.rows].index(target.seq)
    assert model.cell(row, 5) == "amended"
    assert "HR 81" in model.cell(row, 2) and "[was:" in model.cell(row, 2)
    assert page.log.selected_event().seq == target.seq  # the selection survives the reload
    hr = list(charts.curves["hr"].yData)
    assert hr[-2:] == [81, 74] and 91 not in hr
    assert _points(page) == points  # corrected, not added


def test_a_tick_with_nothing_new_redraws_nothing_but_now(qtbot, page_rec, clock) -> None:
    page, _rec = page_rec
    model, charts = page.log.model, page.charts
    rows = model.rowCount()
    now_x = charts.now_lines[0].value()
    clock.advance(30)
    with qtbot.assertNotEmitted(model.modelReset), \
            qtbot.assertNotEmitted(model.rowsInserted), \
            qtbot.assertNotEmitted(charts.curves["hr"].sigPlotChanged), \
            qtbot.waitSignal(page.bridge.changed, timeout=5_000) as told:
        page.tick()
    change = told.args[0]
    assert change.events == [] and not change.rebuilt
    assert model.rowCount() == rows
    assert charts.now_lines[0].value() == pytest.approx(now_x + 0.5, abs=0.01)


def test_the_selected_row_stays_selected_as_entries_arrive(qtbot, page_rec, clock) -> None:
    page, rec = page_rec
    page.show_tab(page.log)
    first = rec.session.events[1]
    assert page.log.select_seq(first.seq)
    clock.advance(60)
    _record_vitals(qtbot, page, {"sbp": "129/80", "hr": "72", "spo2": "98", "rr": "14"})
    assert page.log.selected_event() == first
    qtbot.keyClick(page.log.table, Qt.Key.Key_Down)  # the table still answers the keys
    assert page.log.selected_event() == page.log.model.rows[2]


def test_a_span_change_redraws_a_long_curve_coarse_or_fine(qtbot, clock, protocols) -> None:
    """Past ENVELOPE_FROM points a curve draws its min/max envelope while a pixel spans
    more than half a bucket; the span buttons switch it explicitly, not a notification."""
    from monitor.clinical.rules.engine import evaluate
    from monitor.clinical.session_protocol import protocol_in_force
    from monitor.model.events import Event
    from monitor.model.session import fold
    from monitor.record.change import Change
    from tests.conftest import OPENING
    from ui.charts.charts import ENVELOPE_FROM, ChartsView

    n = ENVELOPE_FROM + 5_000  # about 7 h of a 1 Hz feed
    start = clock.now()
    opening = {**OPENING, "weight_kg": 70}

    def event(seq: int, seconds: int, kind: EventKind, payload: dict) -> Event:
        at = start + timedelta(seconds=seconds)
        return Event("long", seq, kind, payload, "monitor-1", at, at, "device", "")

    events = [event(1, 0, EventKind.SESSION_OPENED, opening)]
    events += [event(i + 1, i, EventKind.VITALS, {"hr": 60 + i % 30}) for i in range(1, n + 1)]
    session = fold("long", events)
    protocol = protocol_in_force(session, protocols)
    charts = ChartsView(session, protocol)
    qtbot.addWidget(charts)
    charts.resize(1100, 600)
    charts.show()
    qtbot.waitExposed(charts)
    now = start + timedelta(seconds=n + 1)
    charts.redraw(now)
    hr = charts.curves["hr"]
    assert len(hr.xData) == n  # 2 h across ~1,000 px: every point

    click(qtbot, charts.span_buttons["All"])
    assert len(hr.xData) < n // 5  # 7 h across: the envelope, two points a bucket
    assert hr.yData.min() == 60 and hr.yData.max() == 89  # every extreme kept

    click(qtbot, charts.span_buttons["2 h"])
    assert len(hr.xData) == n

    # A new sample in the fine view: one more point, drawn from the notification.
    new = event(n + 2, n + 1, EventKind.VITALS, {"hr": 95})
    session.apply(new)
    charts.apply(Change([new], evaluate(session, protocol, now), rebuilt=False))
    assert len(hr.xData) == n + 1 and hr.yData[-1] == 95
