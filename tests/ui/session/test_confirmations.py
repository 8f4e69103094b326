"""The window's side of the clinical checks: unusual readings and off-plan doses are
confirmed, not refused; the REMS pre-dose BP prompt; SpO2 scale 2 at opening; the
modified Aldrete items at discharge."""

from __future__ import annotations

from monitor.app.simulator import CHECKLIST
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, kinds, make_window, type_into


def open_page(qtbot, store, clock, protocols, **opening):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, **opening})
    return window, window.open_session(rec), rec


def test_rr_0_is_recorded_after_the_nurse_confirms(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    sid = rec.session.session_id
    v = page.vitals
    type_into(qtbot, v.edits["rr"], "0", enter=True)
    bar = v.confirm_bar
    assert bar.isVisible() and "Respiratory rate 0 /min is below 2" in bar.text.text()
    assert EventKind.VITALS.value not in kinds(store, sid)      # not stored yet
    assert v.edits["rr"].text() == "0"                           # nor lost
    click(qtbot, bar.confirm_button)
    assert not bar.isVisible()
    stored = [e for e in store.events(sid) if e.kind is EventKind.VITALS][-1]
    assert stored.payload["rr"] == 0 and stored.payload["confirmed"]
    assert v.edits["rr"].text() == "" and v.saved_label.text().startswith("✓ Saved")
    assert page.banner.visible_messages()[0].startswith("!!! HIGH RR 0 ≤ 8")
    # Cancel stores nothing.
    type_into(qtbot, v.edits["spo2"], "45", enter=True)
    click(qtbot, bar.cancel_button)
    assert len([e for e in store.events(sid) if e.kind is EventKind.VITALS]) == 1
    window.shutdown()


def test_off_plan_rate_asks_once_and_says_why(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    page.infusion.refresh()
    inf = page.infusion
    type_into(qtbot, inf.rate, "3")
    click(qtbot, inf.start_button)
    text = inf.question.text()     # one question: the rate, then why it needs a second look
    assert text.startswith("Start infusion at 3 mg/kg/h = 210 mg/h?")
    assert "Confirm anyway?" in text and "sedation-level dosing" in text and "HIGH" in text
    assert inf.confirm_button.text() == "Confirm anyway"
    assert rec.session.phase == "baseline"
    click(qtbot, inf.confirm_button)
    assert rec.session.phase == "infusing"
    assert [a.key for a in rec.session.active_alarms()] == ["dose"]
    window.shutdown()


def test_rems_pre_dose_bp_prompt_through_the_window(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols, protocol="esketamine-nasal")
    rec.record_assessment({"moaas": 5}, "RN7")
    inf = page.infusion
    for key, combo in inf.checklist.items():
        combo.setCurrentText(CHECKLIST[key])
    click(qtbot, inf.checklist_button)
    click(qtbot, inf.start_button)
    assert "No BP recorded before dosing" in inf.question.text()
    click(qtbot, inf.cancel_button)
    rec.record_vitals({"sbp": "152/94", "hr": "80", "spo2": "97", "rr": "14"}, "RN7")
    click(qtbot, inf.start_button)
    assert "Pre-dose BP 152/94 is above 140/90" in inf.question.text()
    click(qtbot, inf.confirm_button)                      # the clinician decides to dose
    assert rec.session.infusion_started_at is not None
    window.shutdown()


def test_spo2_scale_2_is_chosen_when_opening(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    start = window.start_page
    for key, text in (("patient_id", "MRN-7"), ("weight_kg", "70"), ("nurse_id", "RN7")):
        type_into(qtbot, start.edits[key], text)
    start.indication.setCurrentText("CRPS")
    start.spo2_scale2.setChecked(True)
    click(qtbot, start.start_button)
    rec = window.page.recorder
    assert rec.session.opening["spo2_scale"] == 2
    rec.record_vitals({"spo2": "88"}, "RN7")          # on target for scale 2: no alarm
    assert rec.session.active_alarms() == []
    window.shutdown()


def test_aldrete_items_rated_at_discharge(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    rec.stop_infusion("RN7")
    d = page.discharge
    page.show_tab(d)
    d.refresh()
    assert d.check_labels["aldrete"].text() == (
        "✗ Modified Aldrete ≥ 9: rate activity, respiration")
    d.aldrete["aldrete_activity"].setCurrentIndex(1)      # 2: moves 4 limbs
    d.aldrete["aldrete_respiration"].setCurrentIndex(1)   # 2: breathes deeply
    assert d.check_labels["aldrete"].text().startswith("✓ Modified Aldrete ≥ 9: 10/10")
    window.shutdown()
