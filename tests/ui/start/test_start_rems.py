"""The start page for esketamine (REMS): date of birth and sex as optional opening
fields, checked as typed; the session list shows when a dosed session's form is due."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import baseline_vitals
from tests.support.window import click, make_window, type_into


def _fill(qtbot, start, protocol: str) -> None:
    for key, text in (("patient_id", "MRN-7"), ("weight_kg", "70"), ("nurse_id", "RN7")):
        type_into(qtbot, start.edits[key], text)
    start.indication.setCurrentText("depression")
    start.protocol.setCurrentIndex(start.protocol.findData(protocol))


def test_date_of_birth_and_sex_only_for_esketamine(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    start = window.start_page
    _fill(qtbot, start, "depression-iv")
    assert not start.dob.isVisible() and not start.sex.isVisible()
    start.protocol.setCurrentIndex(start.protocol.findData("esketamine-nasal"))
    assert start.dob.isVisible() and start.sex.isVisible()
    type_into(qtbot, start.dob, "12/03/1985")
    click(qtbot, start.start_button)
    error = start.field_errors["date_of_birth"]
    assert error.isVisible() and "YYYY-MM-DD" in error.text()
    assert window.page is None
    type_into(qtbot, start.dob, "1985-03-12")
    start.sex.setCurrentIndex(start.sex.findData("female"))
    click(qtbot, start.start_button)
    rec = window.page.recorder
    assert (rec.session.opening["date_of_birth"], rec.session.opening["sex"]) == (
        "1985-03-12", "female")
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    sid = rec.session.session_id
    start.refresh()
    column = start.COLUMNS.index("REMS form due")
    row = next(i for i in range(start.table.rowCount()) if start.table.item(i, 0).text() == sid)
    due = (clock.now() + timedelta(days=7)).astimezone().strftime("%Y-%m-%d")
    assert start.table.item(row, column).text() == due
    window.shutdown()
