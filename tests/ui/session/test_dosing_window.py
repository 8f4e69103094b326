"""The dosing checks in the real window, by clicks and keys: checklist answers and the
pre-dose BP named at Start in one question, check first (no question about a bad value),
mL/h shown exactly and typed in mL/h, a weight changed after dosing, a medication far
above its range refused and one above it confirmed in a modal on screen at 1366×768."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QComboBox

from monitor.app.simulator import CHECKLIST
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into


def open_page(qtbot, store, clock, protocols, **opening):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, **opening})
    return window, window.open_session(rec), rec


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick a combo item from the keyboard, as a nurse tabbing through the form does."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText() == text


def answer_checklist(qtbot, inf, answers: dict[str, str]) -> None:
    for key, combo in inf.checklist.items():
        choose(qtbot, combo, answers[key])
    click(qtbot, inf.checklist_button)
    assert inf.checklist_state.text() == "✓ Checklist recorded"


@pytest.mark.hazard("H-080")
@pytest.mark.hazard("H-081")
def test_checklist_answers_and_high_bp_are_named_in_one_question_at_start(
        qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], "185/115")
    for key, text in (("hr", "80"), ("spo2", "98"), ("rr", "14")):
        type_into(qtbot, v.edits[key], text)
    type_into(qtbot, v.edits["rr"], "14", enter=True)
    rec.record_assessment({"moaas": 5}, "RN7")
    page.show_tab(page.infusion)
    inf = page.infusion
    answer_checklist(qtbot, inf, {**CHECKLIST, "fasting": "no", "opioids": "yes"})
    click(qtbot, inf.start_button)
    text = inf.question.text()
    assert inf.dialog.isVisible()
    assert text.startswith("Start infusion at 0.35 mg/kg/h = 24.5 mg/h?")
    assert "BP 185/115 before dosing" in text
    assert "Checklist answered NO: Fasting as instructed" in text
    assert "Concomitant opioids" in text
    assert rec.session.infusion_started_at is None                 # asked, nothing stored
    click(qtbot, inf.confirm_button)                               # one confirmation only
    assert rec.session.phase == "infusing" and not inf.dialog.isVisible()
    start = rec.session.entries_of(EventKind.INFUSION_STARTED)[0]
    assert len(start.payload["confirmed"]) == 3
    window.shutdown()


@pytest.mark.hazard("H-080")
@pytest.mark.hazard("H-083")
def test_esketamine_dose_names_the_answers_and_the_device_count(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols, protocol="esketamine-nasal")
    baseline_vitals(rec)                                    # a clean checklist first
    page.show_tab(page.infusion)
    inf = page.infusion
    inf.refresh()
    answer_checklist(qtbot, inf, {**CHECKLIST, "escort_arranged": "no",
                                  "benzodiazepines": "yes"})
    type_into(qtbot, inf.dose, "50")
    click(qtbot, inf.start_button)
    text = inf.question.text()
    assert text.startswith("Give 50 mg esketamine now?")
    assert "Checklist answered NO: Escort arranged" in text
    assert "Concomitant benzodiazepines" in text
    assert "not a whole number of 28 mg devices" in text
    click(qtbot, inf.cancel_button)
    assert rec.session.infusion_started_at is None
    type_into(qtbot, inf.dose, "56")
    click(qtbot, inf.start_button)
    assert "28 mg devices" not in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert rec.session.entries_of(EventKind.INFUSION_STARTED)[0].payload["dose_mg"] == 56
    window.shutdown()


@pytest.mark.hazard("H-087")
def test_a_bad_value_is_said_at_its_field_and_never_asked_about(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    page.show_tab(page.infusion)
    inf = page.infusion
    inf.refresh()
    type_into(qtbot, inf.rate, "abc")
    click(qtbot, inf.rate_button)
    assert not inf.dialog.isVisible()                      # never "Change rate to abc?"
    assert inf.field_errors["rate"].isVisible()
    assert "abc" in inf.field_errors["rate"].text()
    inf.reason.clear()
    click(qtbot, inf.pause_button)
    assert not inf.dialog.isVisible()                      # never "Pause (reason: —)?"
    assert inf.field_errors["reason"].text() == "Pause reason required"  # named: one place
    type_into(qtbot, inf.reason, "nausea")
    click(qtbot, inf.pause_button)
    assert inf.question.text() == "Pause the infusion (reason: nausea)?"
    click(qtbot, inf.confirm_button)
    assert rec.session.paused
    window.shutdown()


@pytest.mark.hazard("H-085")
def test_ml_per_h_shown_exactly_and_typed_in_ml_per_h(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    page.show_tab(page.infusion)
    inf = page.infusion
    type_into(qtbot, inf.rate, "0.35")
    type_into(qtbot, inf.concentration, "10")
    click(qtbot, inf.start_button)
    # 0.35 mg/kg/h × 70 kg = 24.5 mg/h ÷ 10 mg/mL = 2.45 mL/h (2.5 before)
    assert "0.35 mg/kg/h = 24.5 mg/h = 2.45 mL/h at 10 mg/mL" in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert "2.45 mL/h" in page.header.rate.text()
    # The pump's own unit: 3.5 mL/h of the same 10 mg/mL syringe = 35 mg/h.
    choose(qtbot, inf.unit, "mL/h")
    type_into(qtbot, inf.rate, "3.5")
    click(qtbot, inf.rate_button)
    assert "3.5 mL/h = 35 mg/h at 10 mg/mL" in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert rec.session.rate_display == (3.5, "mL/h")
    assert rec.session.rate_mg_per_h(clock.now()) == pytest.approx(35.0)
    window.shutdown()


@pytest.mark.hazard("H-089")
def test_weight_changed_after_dosing_asks_which_by_clicks(qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(2 * 3600)                        # 24.5 mg/h × 2 h = 49 mg given
    page.show_tab(page.log)
    assert page.log.select_seq(1)                  # the opening entry
    click(qtbot, page.log.amend_button)
    form = page.log.amend_dialog
    assert form.typing_error.isVisible() and form.reweighed.isVisible()
    type_into(qtbot, form.edits["weight_kg"], "100")
    type_into(qtbot, form.reason, "weighed on the ward scale")
    click(qtbot, form.save_button)                 # no choice made: asked, nothing saved
    assert form.weight_error.isVisible() and "typing error" in form.weight_error.text()
    assert rec.session.weight_kg == 70
    click(qtbot, form.reweighed)
    click(qtbot, form.save_button)
    assert not form.isVisible()
    assert rec.session.weight_kg == 100
    assert rec.session.dose_mg(clock.now()) == pytest.approx(49.0)      # given mg stay
    assert rec.session.rate_mg_per_h(clock.now()) == pytest.approx(35.0)  # 0.35 × 100
    assert "100 kg" in page.header.patient.text()
    window.shutdown()


@pytest.mark.hazard("H-086")
def test_medication_far_above_refused_above_usual_confirmed_on_screen(
        qtbot, store, clock, protocols):
    window, page, rec = open_page(qtbot, store, clock, protocols)
    window.resize(1366, 768)
    page.show_tab(page.events)
    ev = page.events
    type_into(qtbot, ev.med_drug, "midazolam")
    type_into(qtbot, ev.med_dose, "5000")
    click(qtbot, ev.med_button)
    assert not ev.dialog.isVisible()
    assert ev.med_error.isVisible() and "at most 20 mg for midazolam IV" in ev.med_error.text()
    assert not rec.session.entries_of(EventKind.MEDICATION)
    type_into(qtbot, ev.med_dose, "7.5")
    click(qtbot, ev.med_button)
    assert ev.dialog.isVisible()
    assert "above the usual range for midazolam IV (up to 5 mg)" in ev.dialog.question.text()
    # The question is a modal over the window, fully on screen at 1366×768.
    qtbot.waitUntil(lambda: ev.dialog.geometry().height() > 0, timeout=2000)
    assert QRect(0, 0, 1366, 768).contains(ev.dialog.frameGeometry())
    assert not rec.session.entries_of(EventKind.MEDICATION)
    click(qtbot, ev.dialog.confirm_button)
    (med,) = rec.session.entries_of(EventKind.MEDICATION)
    assert med.payload["dose"] == 7.5 and med.payload["confirmed"]
    assert ev.med_dose.text() == ""
    window.shutdown()
