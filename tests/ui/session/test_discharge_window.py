"""The discharge panel by clicks: discharge before the criteria are met needs a
prescriber's decision or "left against advice", then a modal listing every unmet item
that Enter does not skip; a latched HIGH after discharge says it was never re-measured;
a reopened session's panel shows what was saved (issue 22 #3, issue 23 #4 and #16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from monitor.clinical.discharge import automatic_checks
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into


def _esketamine_unsafe(qtbot, store, clock, protocols):
    """30 min after 84 mg esketamine, SBP 200/120 (HIGH), MOAA/S 3, CADSS-6 18."""
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols,
                            {**OPENING, "protocol": "esketamine-nasal"})
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="84", lot="L1")
    clock.advance(30 * 60)
    rec.record_vitals({"sbp": "200/120", "hr": "80", "spo2": "97", "rr": "14"}, "RN7")
    rec.record_assessment({"moaas": 3, "cadss6": [3] * 6}, "RN7")
    page = window.open_session(rec)
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    return window, page, rec, d


@pytest.mark.hazard("H-061", "H-062", "H-063")
def test_discharge_before_the_criteria_are_met_by_clicks(qtbot, store, clock, protocols):
    window, page, rec, d = _esketamine_unsafe(qtbot, store, clock, protocols)
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    assert d.escort.isChecked() and d.advice.isChecked()
    # A one-character reason with no decision: refused, naming what is allowed.
    d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
    type_into(qtbot, d.prescriber, "Dr Okafor")
    type_into(qtbot, d.override, ".")
    click(qtbot, d.discharge_button)
    assert d.general.isVisible() and "at least 3 words" in d.general.text()
    assert not d.unmet_dialog.isVisible() and rec.session.phase == "recovery"
    d.override_kind.setCurrentIndex(d.override_kind.findData(None))     # "All criteria met"
    click(qtbot, d.discharge_button)
    assert "prescriber" in d.general.text() and "left against advice" in d.general.text()
    # A prescriber's decision with a reason of substance: the modal lists every unmet item.
    d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
    type_into(qtbot, d.override, "reviewed at the bedside, BP treated, wants to go")
    click(qtbot, d.discharge_button)
    dialog = d.unmet_dialog
    assert dialog.isVisible()
    unmet = [c for c in automatic_checks(rec.session, rec.protocol, clock.now(),
                                         {}) if not c.ok]
    text = dialog.question.text()
    assert f"Not met ({len(unmet)})" in text and "as prescriber's decision" in text
    listed = dialog.items.text()
    assert listed.count("• ") == len(unmet)
    for check in unmet:
        assert f"• {check.label}: " in listed, check.label
    assert "No active alarm: HIGH SBP 200" in listed
    # Enter does not skip it: it goes back, and nothing is stored.
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible() and rec.session.phase == "recovery"
    click(qtbot, d.discharge_button)
    assert dialog.isVisible()
    click(qtbot, dialog.confirm_button)
    assert rec.session.phase == "discharged"
    assert rec.session.discharge["override"] == "prescriber"
    assert d.ended.isVisible() and d.ended.text().startswith(
        "Discharged before the criteria were met on the decision of Dr Okafor")
    # The latched HIGH BP row says it was never re-measured, not "back in range".
    page.tick()
    row = next(r for r in page.banner.rows if r.isVisible() and "SBP" in r.text.text())
    assert "NOT RE-MEASURED since the alarm; discharged" in row.detail.text()
    assert "back in range" not in row.detail.text()
    window.shutdown()


@pytest.mark.hazard("H-061")
def test_left_against_advice_by_clicks(qtbot, store, clock, protocols):
    window, _page, rec, d = _esketamine_unsafe(qtbot, store, clock, protocols)
    d.override_kind.setCurrentIndex(d.override_kind.findData("left_against_advice"))
    assert not d.prescriber.isVisible() and d.override.isVisible()
    type_into(qtbot, d.override, "refused to stay")
    click(qtbot, d.discharge_button)                       # no escort ticked: allowed
    click(qtbot, d.unmet_dialog.confirm_button)
    assert rec.session.discharge["override"] == "left_against_advice"
    assert d.ended.text() == "Left against advice: refused to stay"
    window.shutdown()


@pytest.mark.hazard("H-069")
def test_reopened_discharge_panel_shows_what_was_saved(qtbot, db_path, clock, protocols):
    store = Store(db_path)
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(40 * 60)
    rec.stop_infusion("RN7")
    clock.advance(20 * 60)                       # minimum observation not met
    page = window.open_session(rec)
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    d.aldrete["aldrete_activity"].setCurrentIndex(d.aldrete["aldrete_activity"].findData(1))
    d.aldrete["aldrete_respiration"].setCurrentIndex(
        d.aldrete["aldrete_respiration"].findData(2))
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    type_into(qtbot, d.ready, (clock.now() - timedelta(minutes=5)).astimezone()
              .strftime("%H:%M"))
    d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
    type_into(qtbot, d.prescriber, "Dr Okafor")
    type_into(qtbot, d.override, "reviewed, pain settled, home with escort")
    click(qtbot, d.discharge_button)
    click(qtbot, d.unmet_dialog.confirm_button)
    sid = rec.session.session_id
    saved = {k: lab.text() for k, lab in d.check_labels.items()}
    assert rec.session.phase == "discharged"
    window.shutdown()
    store.close()

    clock.advance(3 * 3600)                      # reopened later: the checks are not re-run
    again = Store(db_path)
    window2 = make_window(qtbot, again, clock, protocols)
    if window2.page is None or window2.page.recorder.session.session_id != sid:
        start = window2.start_page
        row = next(i for i in range(start.table.rowCount())
                   if start.table.item(i, 0).text() == sid)
        start.table.selectRow(row)
        click(qtbot, start.resume_button)
    page2 = window2.page
    page2.show_tab(page2.discharge)
    d2 = page2.discharge
    assert d2.aldrete["aldrete_activity"].currentData() == 1
    assert d2.aldrete["aldrete_respiration"].currentData() == 2
    assert d2.escort.isChecked() and d2.advice.isChecked()
    assert d2.ready.text() == (clock.now() - timedelta(hours=3, minutes=5)).astimezone(
        ).strftime("%H:%M")
    assert d2.override_kind.currentData() == "prescriber"
    assert d2.prescriber.text() == "Dr Okafor"
    assert d2.override.text() == "reviewed, pain settled, home with escort"
    assert d2.ended.text().startswith("Discharged before the criteria were met on the "
                                      "decision of Dr Okafor")
    assert {k: lab.text() for k, lab in d2.check_labels.items()} == saved
    assert "✗ Minimum observation time met: 20 of 60 min" in saved["min_observation_met"]
    assert not d2.discharge_button.isEnabled() and not d2.escort.isEnabled()
    window2.shutdown()
    again.close()
