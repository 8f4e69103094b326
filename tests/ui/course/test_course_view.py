"""The course view and the chart overlay in the real window, on five sessions
recorded through the recorder (monitor/app/course_demo.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from monitor.app.course_demo import NOW, OPENED, build_course
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.support.window import click, make_window
from ui.common import theme


@pytest.fixture
def course_window(qtbot, tmp_path: Path):
    db = tmp_path / "series.db"
    store = Store(db)
    ids = build_course(store)
    clock = ManualClock(NOW)
    protocols = load_protocols()
    window = make_window(qtbot, store, clock, protocols)
    page = window.open_session(Recorder(store, ids[4], clock, protocols))
    qtbot.waitUntil(lambda: page.charts is not None)
    # Session 5 is being dosed: the course view opens only when the nurse asks.
    assert window.course_view is None
    click(qtbot, window.course_button)
    yield window, ids, store
    window.shutdown()
    window.close()
    store.close()


def test_course_view_opens_with_the_session_and_shows_every_figure(qtbot, course_window):
    window, _ids, _store = course_window
    view = window.course_view
    qtbot.waitUntil(lambda: view is not None and view.isVisible())
    assert view.table.rowCount() == 5
    assert "4 earlier sessions of MRN-0042" in view.title.text()
    column = {c: [view.cell(r, c) for r in range(5)] for c in (
        "Dose", "Duration", "Peak BP", "Lowest SpO2", "Lowest sedation", "Peak dissociation",
        "Alarms", "Interventions", "Pain / mood before → after", "Relief at next visit")}
    assert column["Dose"] == ["16.3 mg 0.23 mg/kg", "20.4 mg 0.29 mg/kg",
                              "24.5 mg 0.35 mg/kg", "24 mg 0.33 mg/kg",
                              "7.2 mg 0.1 mg/kg"]
    assert column["Duration"] == ["40 min", "40 min", "60 min", "40 min", "12 min so far"]
    assert column["Peak BP"] == ["142/88 at 20 min", "185/112 at 20 min", "145/88 at 20 min",
                                 "138/86 at 20 min", "140/90 at 10 min"]
    assert column["Lowest SpO2"] == ["95 at 30 min", "96 at 10 min", "94 at 20 min",
                                     "92 at 20 min", "97 at 10 min"]
    assert column["Lowest sedation"] == ["MOAA/S 4 at 20 min"] + ["MOAA/S 5 at -5 min"] * 4
    assert column["Peak dissociation"] == ["5 at 20 min CADSS-6 3", "—", "—", "6 at 10 min",
                                           "2 at 10 min"]
    assert column["Alarms"] == ["1 high 0 medium", "1 high 0 medium", "0 high 0 medium",
                                "0 high 1 medium", "0 high 0 medium"]
    assert column["Interventions"] == [
        "antiemetic 1", "antiemetic 1 benzo 1 antihypertensive 2 pause 1", "none", "none",
        "none"]
    assert column["Pain / mood before → after"] == [
        "pain 7 → 3", "pain 6 → 2", "pain 5 → 4", "MADRS 30 → 22 PHQ-9 18", "PHQ-9 12"]
    assert column["Relief at next visit"] == ["20 h", "36 h", "48 h", "24 h", "—"]
    assert view.cell(3, "Date").endswith("(+3 d)")
    # The outcome trend: x = days since the first session.
    x, y = view.curves["pain_before"].getData()
    assert list(x) == [0, 1, 2] and list(y) == [7, 6, 5]
    x, y = view.curves["phq9"].getData()
    assert list(x) == [5, 9] and list(y) == [18, 12]
    click(qtbot, view.close_button)
    qtbot.waitUntil(lambda: not view.isVisible())


def test_this_sessions_row_follows_what_is_recorded(qtbot, course_window):
    window, _ids, _store = course_window
    view = window.course_view
    window.clock.advance(120)
    window.page.recorder.record_vitals({"sbp": "176/98", "hr": "90", "spo2": "96"}, "RN7")
    qtbot.waitUntil(lambda: view.cell(4, "Peak BP") == "176/98 at 14 min")
    assert view.cell(4, "Duration") == "14 min so far"
    assert view.cell(1, "Peak BP") == "185/112 at 20 min"   # earlier rows unchanged


def test_course_button_reopens_it_with_what_was_recorded_since(qtbot, course_window):
    window, _ids, _store = course_window
    window.course_view.close()
    rec = window.page.recorder
    window.clock.advance(60)
    rec.record_vitals({"sbp": "172/96", "hr": "88", "spo2": "95"}, "RN7")
    click(qtbot, window.course_button)
    view = window.course_view
    qtbot.waitUntil(lambda: view.isVisible())
    assert view.cell(4, "Peak BP") == "172/96 at 13 min"
    assert view.cell(4, "Duration") == "13 min so far"
    click(qtbot, view.close_button)


def test_charts_overlay_the_previous_session_aligned_on_infusion_start(qtbot, course_window):
    window, _ids, _store = course_window
    window.course_view.close()
    page = window.page
    qtbot.waitUntil(lambda: page.charts is not None)
    charts = page.charts
    assert charts.overlay_button.isVisible() and charts.overlay_button.isChecked()
    # On one line, or on two when the charts are narrow (nothing of it cut).
    assert charts.overlay_button.text().replace("\n", ": ") == (
        f"Last session {OPENED[3]:%Y-%m-%d}: SBP peak 138 at 20 min")
    drawn = {(lane, i): item for i, (plot, item) in enumerate(charts.overlay)
             for lane, p in charts.plots.items() if p is plot}
    sbp = drawn[("bp", 0)]
    x, y = sbp.xData, sbp.yData   # all the data (getData clips to the view)
    # Session 4: baseline 5 min before its start, then 10, 20, 30 min after it.
    assert np.array_equal(x, [-5, 10, 20, 30]) and np.array_equal(y, [128, 136, 138, 134])
    x, y = drawn[("scores", 3)].xData, drawn[("scores", 3)].yData
    assert np.array_equal(x, [10, 20]) and np.array_equal(y, [6, 4])
    # Not the live SBP's hue, and not dashed like the baseline and limit lines
    # (issue 23 #17): grey, dotted, hollow marks.
    pen = sbp.opts["pen"]
    assert pen.style() == Qt.PenStyle.DotLine
    assert pen.color().name().lower() != theme.series_color("sbp").lower()
    live = QColor(theme.series_color("sbp"))
    assert abs(pen.color().hsvHue() - live.hsvHue()) > 30 or pen.color().hsvSaturation() < 30
    click(qtbot, charts.overlay_button)
    assert not charts.overlay_button.isChecked()
    assert not any(item.isVisible() for _p, item in charts.overlay)
    click(qtbot, charts.overlay_button)
    assert all(item.isVisible() for _p, item in charts.overlay)


def test_a_first_session_opens_without_the_course_view(qtbot, store, clock, protocols):
    from tests.conftest import OPENING
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    page = window.open_session(rec)
    assert window.course_view is None and window.course_button.isVisible()
    qtbot.waitUntil(lambda: page.charts is not None)
    assert not page.charts.overlay_button.isVisible() and page.charts.overlay == []
    window.shutdown()
    window.close()


def test_outcomes_recorded_from_the_course_view(qtbot, course_window):
    from tests.support.window import type_into
    window, ids, store = course_window
    view = window.course_view
    edits = view.outcomes.edits
    type_into(qtbot, edits["phq9"], "31")
    type_into(qtbot, edits["pain_after"], "2")
    before = len(store.events(ids[4]))
    click(qtbot, view.outcomes.record_button)
    error = view.outcomes.field_errors["phq9"]
    assert error.isVisible() and "0 to 27" in error.text()
    assert len(store.events(ids[4])) == before     # nothing half-saved
    type_into(qtbot, edits["phq9"], "11")
    click(qtbot, view.outcomes.record_button)
    assert not error.isVisible() and edits["phq9"].text() == ""
    saved = store.events(ids[4])[-1]
    assert saved.kind.value == "outcome_recorded"
    assert saved.payload == {"pain_after": 2, "phq9": 11}
    assert view.cell(4, "Pain / mood before → after") == "pain ? → 2 PHQ-9 11"
    x, y = view.curves["phq9"].getData()
    assert list(x) == [5, 9] and list(y) == [18, 11]
    assert view.curves["pain_after"].getData()[1][-1] == 2


def test_export_dialog_writes_a_vital_file(qtbot, course_window, tmp_path):
    import vitaldb
    window, _ids, _store = course_window
    window.course_view.close()
    page = window.page
    page.export_folder = tmp_path
    dialog = page.open_export("vital")
    assert dialog.path.text().endswith(".vital")
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text())
    vf = vitaldb.VitalFile(dialog.path.text())
    sbp = vf.trks["KetamineMonitor/NIBP_SBP"].recs
    assert [r["val"] for r in sbp] == [128, 140]
    dialog.close()


def test_with_deferred_charts_the_course_view_waits_for_the_first_paint(qtbot, tmp_path):
    from tests.conftest import OPENING
    db = tmp_path / "series.db"
    with Store(db) as store:
        build_course(store)
        clock = ManualClock(NOW)
        protocols = load_protocols()
        window = make_window(qtbot, store, clock, protocols)
        # A new session of the same patient, not dosed yet: the course view opens by itself.
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        page = window.open_session(rec, defer=True)
        assert page.charts is None and window.course_view is None
        qtbot.waitUntil(lambda: page.charts is not None)
        qtbot.waitUntil(lambda: window.course_view is not None
                        and window.course_view.isVisible())
        # Inside the window, in the charts' place: the banner stays above it.
        assert window.course_view.window() is window and not page.charts.isVisible()
        assert window.course_view.table.rowCount() == 6
        window.shutdown()
        window.close()


@pytest.mark.hazard("H-102")
def test_course_never_opens_by_itself_once_dosing_began_and_never_covers_the_banner(
        qtbot, tmp_path):
    db = tmp_path / "series.db"
    with Store(db) as store:
        ids = build_course(store)
        clock = ManualClock(NOW)
        protocols = load_protocols()
        window = make_window(qtbot, store, clock, protocols)
        page = window.open_session(Recorder(store, ids[4], clock, protocols))  # infusing
        qtbot.waitUntil(lambda: page.charts is not None)
        qtbot.wait(50)
        assert window.course_view is None and page.charts.isVisible()
        click(qtbot, window.course_button)                     # the nurse asks
        view = window.course_view
        assert view.isVisible() and view.window() is window    # no window of its own
        banner = page.banner.mapTo(window, page.banner.rect().topLeft())
        top = view.mapTo(window, view.rect().topLeft())
        assert top.y() >= banner.y() + page.banner.height()    # below the banner
        click(qtbot, view.close_button)
        assert not view.isVisible() and page.charts.isVisible()
        window.shutdown()
        window.close()


def test_course_exported_from_the_view(qtbot, course_window, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    from tests.support.window import type_into
    window, ids, _store = course_window
    view = window.course_view
    view.export_format.setCurrentText("fhir")
    click(qtbot, view.export_deidentify)
    assert view.export_path.text().endswith("ketamine-course-deidentified.fhir.json")
    target = tmp_path / "series.fhir.json"
    type_into(qtbot, view.export_path, str(target))
    click(qtbot, view.export_button)
    assert "Wrote" in view.export_result.text()
    text = target.read_text()
    assert not any(s in text for s in ("MRN-0042", *ids, "2026"))
    bundle = Bundle.model_validate_json(text)
    starts = [e.resource.period.start for e in bundle.entry
              if e.resource.__resource_type__ == "Encounter"]
    assert [(s - starts[0]).days for s in starts] == [0, 1, 2, 5, 9]
    click(qtbot, view.export_button)                      # the file exists now
    assert view.export_error.isVisible() and "already exists" in view.export_error.text()
    type_into(qtbot, view.export_path, "")
    click(qtbot, view.export_button)
    assert "give a file path" in view.export_error.text()


@pytest.mark.hazard("H-252")
def test_nothing_of_the_loading_charts_shows_beside_the_series(qtbot, tmp_path):
    """The series asked for before the charts were built: when they are, nothing of the
    "Loading charts…" place stays on screen beside the view (it showed as "Lo" at the
    window's left edge)."""
    from PySide6.QtWidgets import QApplication
    db = tmp_path / "series.db"
    with Store(db) as store:
        ids = build_course(store)
        clock = ManualClock(NOW)
        window = make_window(qtbot, store, clock, load_protocols())
        page = window.open_session(Recorder(store, ids[4], clock, load_protocols()),
                                   defer=True)
        loading = page.loading
        assert page.charts is None
        click(qtbot, window.course_button)                      # the nurse asks at once
        view = window.course_view
        assert view.isVisible() and not loading.isVisible()
        at_completion: list[bool] = []
        page.completed.connect(lambda: at_completion.append(loading.isVisible()))
        qtbot.waitUntil(lambda: page.charts is not None)
        assert at_completion == [False]
        QApplication.processEvents()
        # The view has the charts' whole place: from the page's left margin.
        assert view.mapTo(page, view.rect().topLeft()).x() == page.layout().contentsMargins().left()
        click(qtbot, view.close_button)
        assert page.charts.isVisible()
        window.shutdown()
        window.close()
