"""Close and sign checks first and asks after (a nurse's trial: "Close and sign this
session as —?" then a refusal after confirming); Enter in the nurse-ID field presses
Close and sign; the refusal goes once the ID is typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.clinical.discharge_override import AGAINST_ADVICE
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, recovery_panel


@pytest.mark.hazard("H-111")
def test_close_and_sign_refuses_an_empty_id_before_asking(qtbot, store, clock, protocols):
    window, rec, d = recovery_panel(qtbot, store, clock, protocols, discharged=True)
    click(qtbot, d.close_button)                        # empty ID: refused, nothing asked
    assert not d.dialog.isVisible()
    assert d.general.isVisible() and "nurse" in d.general.text().lower()
    assert "—" not in d.dialog.question.text()
    qtbot.keyClicks(d.sign_nurse, "RN7")                # the refusal goes as she types
    assert not d.general.isVisible()
    qtbot.keyClick(d.sign_nurse, Qt.Key.Key_Return)     # Enter presses Close and sign
    assert d.dialog.isVisible() and "as RN7?" in d.dialog.question.text()
    click(qtbot, d.dialog.confirm_button)
    assert rec.session.phase == "closed" and rec.session.closed_by == "RN7"
    window.shutdown()


def test_the_pump_sentence_only_while_an_infusion_runs(qtbot, bedside, clock):
    window, _page, rec = bedside
    rec.record_vitals({"sbp": "190/115", "hr": "80", "spo2": "98", "rr": "14"}, "RN7")
    assert window.close() is False                      # baseline with a HIGH alarm
    assert "pump" not in window.ending.stops.text()
    click(qtbot, window.ending.keep_button)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
    assert window.close() is False
    assert "The pump is not controlled by this app" in window.ending.stops.text()
    click(qtbot, window.ending.keep_button)
    clock.advance(600)
    rec.stop_infusion("RN7")                            # recovery: no pump runs
    assert window.close() is False
    assert "pump" not in window.ending.stops.text()
    click(qtbot, window.ending.keep_button)


@pytest.mark.hazard("H-112")
def test_discharge_basis_starts_unchosen_while_criteria_are_unmet(
        qtbot, store, clock, protocols):
    window, rec, d = recovery_panel(qtbot, store, clock, protocols)
    assert any(not lab.text().startswith("✓") for lab in d.check_labels.values())
    assert d.override_kind.currentIndex() == -1                 # not "All criteria met"
    assert "choose" in d.override_kind.placeholderText().lower()
    click(qtbot, d.discharge_button)                            # no basis: refused, says why
    assert rec.session.phase == "recovery"
    assert "left against advice" in d.general.text()
    d.override_kind.setCurrentIndex(d.override_kind.findData(AGAINST_ADVICE))
    d.refresh()                                                 # her choice stays
    assert d.override_kind.currentData() == AGAINST_ADVICE
    window.shutdown()


@pytest.mark.hazard("H-113")
def test_close_question_and_discharge_list_word_alarms_as_the_banner(
        qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "188/100", "hr": "80", "spo2": "98", "rr": "14"}, "RN7")
    clock.advance(300)
    rec.record_vitals({"sbp": "205/100", "hr": "80", "spo2": "98", "rr": "14"}, "RN7")
    rec.stop_infusion("RN7")
    page = window.open_session(rec)
    page.tick()
    assert any("SBP 205" in m for m in page.banner.visible_messages())
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    listed = d.check_labels["no_active_alarm"].text()
    assert "SBP 205" in listed and "188" not in listed
    assert window.close() is False
    why = window.ending.why.text()
    assert "HIGH SBP 205" in why and "188" not in why
    click(qtbot, window.ending.keep_button)
    window.shutdown()


def test_the_reopen_notice_reads_as_a_sentence_and_names_the_patient(
        qtbot, store, clock, protocols):
    from PySide6.QtCore import QSettings

    from ui.main_window import CLOSED_WATCHING_KEY, OPEN_KEY
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    QSettings().setValue(OPEN_KEY, rec.session.session_id)
    QSettings().setValue(CLOSED_WATCHING_KEY, True)
    window = make_window(qtbot, store, clock, protocols)
    text = window.notice.text()
    assert text.startswith("Reopened (it was open when the monitor was closed): MRN-0042's")
    assert "Resumed was" not in text and rec.session.session_id not in text
    window.shutdown()


def test_discharge_refusal_reads_plainly_and_never_contradicts_the_checks(
        qtbot, store, clock, protocols):
    """The refusal points at the ✗ items instead of copying them (a copy went stale as
    they changed), and follows the record: what it says holds after the change."""
    window, rec, d = recovery_panel(qtbot, store, clock, protocols)
    click(qtbot, d.discharge_button)                     # no basis chosen: refused
    text = d.general.text()
    assert d.general.isVisible() and "(empty)" not in text
    assert text.startswith("Discharge before the criteria are met: a prescriber's decision")
    assert "the ✗ items are not met" in text and "Sedation" not in text
    rec.record_assessment({"moaas": 5}, "RN7")          # the unmet list changes
    d.refresh()
    assert d.general.isVisible() and "Sedation" not in d.general.text()
    assert any(not lab.text().startswith("✓") for lab in d.check_labels.values())
    window.shutdown()


@pytest.mark.hazard("H-271")
def test_after_discharge_the_focus_is_on_the_signing_id(qtbot, store, clock, protocols):
    """Discharged by clicks on a prescriber's decision: the next key the nurse types goes
    into the signing ID (it had gone to "Export CSV", whose Enter opens an export), and
    Enter there asks to close and sign."""
    from PySide6.QtWidgets import QApplication

    from tests.support.window import pick_by_keys, type_into
    window, rec, d = recovery_panel(qtbot, store, clock, protocols)
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    pick_by_keys(qtbot, d.override_kind, d.override_kind.itemText(
        d.override_kind.findData("prescriber")))
    type_into(qtbot, d.prescriber, "Dr Okafor")
    type_into(qtbot, d.override, "reviewed at the bedside, stable, may go home")
    click(qtbot, d.discharge_button)
    assert d.unmet_dialog.isVisible()                   # the unmet items, listed
    click(qtbot, d.unmet_dialog.confirm_button)
    assert rec.session.phase == "discharged"
    for saved in (d.prescriber, d.override):            # locked, read from their start
        assert not saved.isEnabled() and saved.cursorPosition() == 0
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.sign_nurse, timeout=2000)
    qtbot.keyClicks(QApplication.focusWidget(), "RN7")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert d.dialog.isVisible() and "as RN7?" in d.dialog.question.text()
    click(qtbot, d.dialog.confirm_button)
    assert rec.session.phase == "closed" and rec.session.closed_by == "RN7"
    window.shutdown()
