"""A whole session driven through the real window: open, baseline, start,
vitals by keyboard, a high limit crossed, acknowledge, amend, artifact, end,
discharge, close. Asserts on what the nurse sees and on what the store holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.app.simulator import CHECKLIST
from monitor.model.events import EventKind
from tests.support.window import click, kinds, make_window, type_into


def open_from_start_page(qtbot, window, weight="70"):
    start = window.start_page
    type_into(qtbot, start.edits["patient_id"], "MRN-0042")
    type_into(qtbot, start.edits["display_name"], "Jane Doe")
    type_into(qtbot, start.edits["weight_kg"], weight)
    type_into(qtbot, start.edits["nurse_id"], "RN7")
    start.indication.setCurrentText("CRPS")
    start.protocol.setCurrentIndex(start.protocol.findData("chronic-pain-iv"))
    click(qtbot, start.start_button)


def test_whole_session_through_the_window(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)

    # A bad weight is refused inline, naming what is allowed; nothing is stored.
    open_from_start_page(qtbot, window, weight="7o")
    err = window.start_page.field_errors["weight_kg"]
    assert err.isVisible() and "from 20 to 300 kg" in err.text()
    assert store.session_ids() == []
    type_into(qtbot, window.start_page.edits["weight_kg"], "70,5", enter=True)
    assert window.page is None  # Enter in a field moves on; it never opens the session
    assert window.start_page.edits["nurse_id"].hasFocus()
    window.start_page.start_button.setFocus()
    qtbot.keyClick(window.start_page.start_button, Qt.Key.Key_Return)  # Enter on the button
    page = window.page
    assert page is not None and page.isVisible()
    sid = page.recorder.session.session_id
    assert "MRN-0042" in page.header.patient.text() and "70.5 kg" in page.header.patient.text()
    assert page.header.phase.text() == "BASELINE"

    # Baseline vitals by keyboard: the cursor starts in SBP, "128/82" fills both (one Tab
    # goes on to HR), Enter.
    v = page.vitals
    qtbot.waitUntil(v.edits["sbp"].hasFocus, timeout=2000)
    qtbot.keyClicks(v.edits["sbp"], "128/82")
    qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_Tab)
    assert v.edits["hr"].hasFocus()
    for key, text in (("hr", "72"), ("spo2", "98"), ("rr", "14"), ("temp", "36,8")):
        qtbot.keyClicks(v.edits[key], text)
    qtbot.keyClick(v.edits["temp"], Qt.Key.Key_Return)
    assert v.saved_label.text().startswith("✓ Saved")
    assert v.edits["sbp"].text() == "" and v.edits["sbp"].hasFocus()
    stored = [e for e in store.events(sid) if e.kind is EventKind.VITALS][-1]
    assert (stored.payload["sbp"], stored.payload["dbp"], stored.payload["temp"]) == (128, 82,
                                                                                      36.8)
    assert page.rail.values["bp"].text() == "128/82"

    # Bad input: "120/" shows an inline message and stores nothing.
    before = len(store.events(sid))
    type_into(qtbot, v.edits["sbp"], "120/", enter=True)
    assert v.field_errors["sbp"].isVisible()
    assert "systolic/diastolic" in v.field_errors["sbp"].text()
    assert len(store.events(sid)) == before
    v.edits["sbp"].clear()

    # Baseline assessment with the large MOAA/S buttons.
    a = page.assessment
    click(qtbot, a.sedation_buttons[5])
    a.pain.setValue(7)
    a.acvpu.setCurrentIndex(1)
    click(qtbot, a.record_button)
    assert a.saved.text().startswith("✓ Saved")

    # Start the infusion: the confirmation names number and unit.
    inf = page.infusion
    type_into(qtbot, inf.rate, "0.35")
    click(qtbot, inf.start_button)
    assert "0.35 mg/kg/h = 24.675 mg/h" in inf.question.text()   # 0.35 × 70.5 kg, exact
    # The checklist is not done: the same, single question says so; nothing is stored yet.
    assert "Pre-infusion checklist not completed" in inf.question.text()
    assert EventKind.INFUSION_STARTED.value not in kinds(store, sid)
    click(qtbot, inf.cancel_button)
    for key, combo in inf.checklist.items():
        combo.setCurrentText(CHECKLIST[key])
    click(qtbot, inf.checklist_button)
    assert inf.checklist_state.text() == "✓ Checklist recorded"
    click(qtbot, inf.start_button)
    click(qtbot, inf.confirm_button)
    assert page.header.phase.text() == "INFUSING"
    assert "24.675 mg/h" in page.header.rate.text()

    # Ten minutes on: SBP crosses the high limit.
    clock.advance(600)
    page.tick()
    assert page.header.dose.text().startswith("4.1 mg")
    type_into(qtbot, v.edits["sbp"], "186/95")
    for key, text in (("hr", "88"), ("spo2", "97"), ("rr", "15")):
        type_into(qtbot, v.edits[key], text)
    qtbot.keyClick(v.edits["rr"], Qt.Key.Key_Return)
    shown = page.banner.visible_messages()
    # One BP alarm: the highest reason first, the others listed with it.
    assert shown == ["!!! HIGH SBP 186 ≥ 180"]
    assert page.banner.rows[0].others.text() == (
        "also: SBP +58 mmHg over baseline 128; SBP up 58 mmHg in 10 min (≥ 20)")
    assert page.banner.rows[0].isVisible()
    assert page.banner.flash_timers["high"].isActive()
    assert theme_color(page.rail.values["bp"]) == "#E8402F"
    assert page.charts.marks["sbp"].points().size == 2

    # Acknowledge with an action from the list.
    click(qtbot, page.banner.rows[0].ack)
    assert page.banner.ack_panel.isVisible()
    page.banner.action.setCurrentText("infusion slowed")
    type_into(qtbot, page.banner.comment, "rate halved, re-measure in 5 min")
    click(qtbot, page.banner.ack_confirm)
    alarm = next(a for a in page.recorder.session.alarms.values() if a.key == "bp")
    assert alarm.acknowledged_by == "RN7" and alarm.action == "infusion slowed"
    acked_row = next(r for r in page.banner.rows if alarm.alarm_id in r.alarm_ids)
    assert acked_row.acknowledged and not acked_row.ack.isVisible()
    assert "ack'd by RN7 " in acked_row.detail.text()

    # Amend the reading through the log.
    page.show_tab(page.log)
    target = stored_seq = [e for e in store.events(sid) if e.kind is EventKind.VITALS][-1].seq
    assert page.log.select_seq(target)
    assert "BP 186/95" in page.log.selected_text.text()
    click(qtbot, page.log.amend_button)
    form = page.log.amend_dialog
    assert form.isVisible() and form.edits["sbp"].text() == "186"  # prefilled
    assert form.edits["hr"].text() == "88"
    type_into(qtbot, form.edits["sbp"], "184")
    click(qtbot, form.save_button)
    assert form.reason_error.isVisible()  # a reason is required; nothing saved
    assert page.recorder.session.entries[stored_seq].payload["sbp"] == 186
    type_into(qtbot, form.reason, "misread the display", enter=True)
    assert not form.isVisible()
    assert page.recorder.session.entries[stored_seq].payload["sbp"] == 184
    row = [e.seq for e in page.log._rows].index(stored_seq)
    assert page.log.model.cell(row, 5) == "amended"
    assert "[was: BP 186/95" in page.log.model.cell(row, 2)

    # Flag a spurious device reading as artifact: kept, shown, excluded from alarms.
    spike = page.recorder.record_vitals({"hr": "180"}, "RN7", source="device")
    # One device sample beyond the limit is not yet an alarm (10 s persistence delay).
    assert not any(a.parameter == "hr" for a in page.recorder.session.active_alarms())
    assert not any("HR 180" in m for m in page.banner.visible_messages())
    page.log.select_seq(spike.seq)
    type_into(qtbot, page.log.reason, "probe on moving finger")
    click(qtbot, page.log.artifact_button)
    flag = page.log.artifact_dialog
    assert flag.isVisible() and not flag.boxes["hr"].isChecked()  # not a cuff reading
    click(qtbot, flag.boxes["hr"])
    click(qtbot, flag.flag_button)
    click(qtbot, flag.confirm.confirm_button)
    assert not flag.isVisible()
    assert page.recorder.session.entries[spike.seq].status == "artifact"
    assert page.charts.artifacts["hr"].points().size == 1
    assert page.rail.values["hr"].text() == "88"

    # Overdue observation shows in text and colour in the header.
    clock.advance(16 * 60)
    page.tick()
    assert "BP overdue 6 min" in page.header.overdue.text()
    assert page.header.overdue.isVisible()

    # End the infusion → recovery.
    page.show_tab(page.infusion)
    click(qtbot, inf.stop_button)
    assert "End the infusion now" in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert page.header.phase.text() == "RECOVERY"

    # Acknowledge whatever is left, recover, and discharge.
    clock.advance(45 * 60)
    for a_ in list(page.recorder.session.active_alarms()):
        if not a_.acknowledged:
            page.recorder.acknowledge("RN7", a_.alarm_id, "re-measured")
    page.recorder.record_vitals({"sbp": "130/80", "hr": "74", "spo2": "98", "rr": "14"}, "RN7")
    page.recorder.record_assessment({"moaas": 5}, "RN7")
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    click(qtbot, d.discharge_button)
    assert d.general.isVisible() and "Escort present" in d.general.text()
    d.escort.setChecked(True)
    d.advice.setChecked(True)
    failing = [k for k, lab in d.check_labels.items() if lab.text().startswith("✗")]
    if failing:  # a prescriber's decision, confirmed against the list of unmet items
        d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
        type_into(qtbot, d.prescriber, "Dr Okafor")
        type_into(qtbot, d.override, "physician reviewed, stable to go")
    click(qtbot, d.discharge_button)
    if failing:
        assert d.unmet_dialog.isVisible()
        click(qtbot, d.unmet_dialog.confirm_button)
    assert page.header.phase.text() == "DISCHARGED"

    # Close and sign asks first; then the record is locked; later entries are addenda.
    type_into(qtbot, d.sign_nurse, "RN7")
    click(qtbot, d.close_button)
    assert d.dialog.isVisible() and "RN7" in d.dialog.question.text()
    assert page.header.phase.text() == "DISCHARGED"
    qtbot.waitUntil(d.dialog.confirm_button.hasFocus, timeout=2000)
    qtbot.keyClick(d.dialog.confirm_button, Qt.Key.Key_Return)  # Enter confirms
    assert page.header.phase.text() == "CLOSED (signed)"
    assert not d.close_button.isEnabled() and not d.discharge_button.isEnabled()
    assert not page.vitals.isEnabled() and not page.infusion.isEnabled()
    minimum = page.header.min_obs.text()
    clock.advance(600)
    page.tick()
    assert page.header.min_obs.text() == minimum  # nothing counts on a signed record
    page.recorder.add_note("RN7", "patient phoned: home safely")
    assert list(page.recorder.session.entries.values())[-1].addendum

    k = kinds(store, sid)
    for needed in ("session_opened", "vitals_recorded", "assessment_recorded",
                   "infusion_started", "alarm_raised", "alarm_acknowledged", "entry_amended",
                   "artifact_flagged", "infusion_stopped", "session_discharged",
                   "session_closed", "note_added"):
        assert needed in k, needed
    assert store.verify() == (1, len(k))


def theme_color(lab) -> str:
    style = lab.styleSheet()
    return style.split("color:")[1].split(";")[0].strip()


@pytest.mark.hazard("H-200")
def test_start_form_chooses_nothing_for_the_nurse(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    start = window.start_page
    qtbot.waitUntil(start.edits["patient_id"].hasFocus, timeout=2000)
    assert start.indication.currentData() is None and start.protocol.currentData() is None
    type_into(qtbot, start.edits["patient_id"], "MRN-7", enter=True)
    assert start.edits["display_name"].hasFocus()
    for key, text in (("weight_kg", "80"), ("nurse_id", "RN7")):
        type_into(qtbot, start.edits[key], text)
    click(qtbot, start.start_button)
    assert store.session_ids() == []
    assert start.field_errors["protocol"].isVisible()
    assert start.field_errors["indication_text"].text() == (
        "one of: CRPS, fibromyalgia, neuropathic pain, depression, other")
    assert start.field_errors["indication_text"].isVisible() and start.general.isHidden()
    start.indication.setCurrentIndex(start.indication.findData("depression"))
    assert start.protocol.currentData() == "depression-iv"  # suggested, still changeable
    start.indication.setCurrentIndex(start.indication.findData("other"))
    assert start.indication_text.isVisible()
    start.indication.setCurrentIndex(start.indication.findData("fibromyalgia"))
    assert start.protocol.currentData() == "chronic-pain-iv"
    click(qtbot, start.start_button)
    assert window.page is not None
    assert window.page.recorder.session.opening["indication"] == "fibromyalgia"
