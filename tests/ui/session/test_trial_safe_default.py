"""A warning question never goes through on a reflex Enter (a nurse's trial at 1280×800):
the Start with BP 188/112 and no sedation score or checklist, a sedation-level bolus, a
CNS-depressant answer, an early discharge, leaving against advice with a HIGH alarm, an
RR of 0 and an artifact flag that ends an alarm. The safe button is the default; Enter
and Escape choose it wherever the focus is; a click, or Tab then Space, goes through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from monitor.app.simulator import CHECKLIST
from monitor.clinical.discharge_override import AGAINST_ADVICE, PRESCRIBER
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into
from ui.common.confirm import ConfirmDialog


def _page(qtbot, store, clock, protocols, **opening):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, **opening})
    return window, rec


def _reflex_enter_goes_back(qtbot, dialog: ConfirmDialog) -> None:
    """Enter on whatever has the focus, on the dialog, and on the confirm button itself:
    the dialog goes back each time (reopened between tries by ``reopen``)."""
    assert dialog.isVisible() and dialog.warned
    assert dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
    assert dialog.cancel_button.property("role") == "primary"   # the default looks it
    assert dialog.confirm_button.property("role") != "primary"
    qtbot.waitUntil(dialog.cancel_button.hasFocus, timeout=2000)
    focused = QApplication.focusWidget()
    assert isinstance(focused, QWidget)
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    assert not dialog.isVisible()


def _enter_on_confirm_then_tab_space(qtbot, dialog: ConfirmDialog, reopen) -> None:
    reopen()
    assert dialog.isVisible()
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Enter)   # focus moved there by hand
    assert not dialog.isVisible()
    reopen()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    reopen()
    qtbot.waitUntil(dialog.cancel_button.hasFocus, timeout=2000)
    qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Backtab)  # deliberate: Tab to it, Space
    assert dialog.confirm_button.hasFocus()
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Space)
    assert not dialog.isVisible()


@pytest.mark.hazard("H-110")
def test_start_with_high_bp_no_sedation_no_checklist_is_not_one_enter(
        qtbot, store, clock, protocols):
    window, rec = _page(qtbot, store, clock, protocols)
    rec.record_vitals({"sbp": "188/112", "hr": "80", "spo2": "98", "rr": "14"}, "RN7")
    page = window.open_session(rec)
    page.show_tab(page.infusion)
    inf = page.infusion
    click(qtbot, inf.start_button)
    assert "188/112" in inf.question.text()
    _reflex_enter_goes_back(qtbot, inf.dialog)
    assert rec.session.infusion_started_at is None
    _enter_on_confirm_then_tab_space(qtbot, inf.dialog,
                                     lambda: click(qtbot, inf.start_button))
    assert rec.session.phase == "infusing"
    window.shutdown()


@pytest.mark.hazard("H-110")
def test_cns_depressant_answer_and_sedation_level_bolus_need_more_than_enter(
        qtbot, store, clock, protocols):
    window, rec = _page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    rec.record_checklist("RN7", {**CHECKLIST, "gabapentinoids": "yes"})
    page = window.open_session(rec)
    page.show_tab(page.infusion)
    inf = page.infusion
    inf.refresh()
    click(qtbot, inf.start_button)
    assert "gabapentinoids" in inf.question.text()
    _reflex_enter_goes_back(qtbot, inf.dialog)
    assert rec.session.infusion_started_at is None
    click(qtbot, inf.start_button)
    click(qtbot, inf.confirm_button)                       # a deliberate click goes through
    assert rec.session.phase == "infusing"
    type_into(qtbot, inf.bolus, "50")                      # 0.71 mg/kg: sedation level
    click(qtbot, inf.bolus_button)
    assert "sedation-level" in inf.question.text()
    _reflex_enter_goes_back(qtbot, inf.dialog)
    assert rec.session.entries_of(EventKind.BOLUS) == []
    window.shutdown()


def _recovery_with_high_sbp(qtbot, store, clock, protocols):
    window, rec = _page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    rec.record_vitals({"sbp": "205/115", "hr": "80", "spo2": "97", "rr": "14"}, "RN7")
    page = window.open_session(rec)
    page.show_tab(page.discharge)
    d = page.discharge
    d.refresh()
    return window, rec, d


@pytest.mark.hazard("H-110")
@pytest.mark.parametrize("kind", [PRESCRIBER, AGAINST_ADVICE])
def test_early_discharge_and_leaving_against_advice_go_back_on_enter(
        qtbot, store, clock, protocols, kind):
    window, rec, d = _recovery_with_high_sbp(qtbot, store, clock, protocols)
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    d.override_kind.setCurrentIndex(d.override_kind.findData(kind))
    if kind == PRESCRIBER:
        type_into(qtbot, d.prescriber, "Dr Okafor")
    type_into(qtbot, d.override, "reviewed at the bedside, wants to go home now")
    click(qtbot, d.discharge_button)
    assert not d.general.isVisible(), d.general.text()
    _reflex_enter_goes_back(qtbot, d.unmet_dialog)
    assert rec.session.phase == "recovery"
    _enter_on_confirm_then_tab_space(qtbot, d.unmet_dialog,
                                     lambda: click(qtbot, d.discharge_button))
    assert rec.session.phase == "discharged"
    window.shutdown()


@pytest.mark.hazard("H-110")
def test_rr_0_bar_takes_enter_as_cancel(qtbot, store, clock, protocols):
    window, rec = _page(qtbot, store, clock, protocols)
    page = window.open_session(rec)
    v = page.vitals
    type_into(qtbot, v.edits["rr"], "0", enter=True)
    bar = v.confirm_bar
    assert bar.isVisible()
    qtbot.waitUntil(bar.cancel_button.hasFocus, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)     # reflex Enter
    qtbot.keyClick(bar.confirm_button, Qt.Key.Key_Return)             # nor on Confirm
    assert not bar.isVisible()
    assert rec.session.entries_of(EventKind.VITALS) == []
    assert v.edits["rr"].text() == "0"                                 # kept, not lost
    window.shutdown()


def test_a_plain_question_still_takes_enter(qtbot, store, clock, protocols):
    window, rec = _page(qtbot, store, clock, protocols)
    baseline_vitals(rec)
    page = window.open_session(rec)
    page.show_tab(page.infusion)
    inf = page.infusion
    inf.refresh()
    click(qtbot, inf.start_button)
    assert "Confirm anyway" not in inf.question.text() and not inf.dialog.warned
    assert inf.dialog.confirm_button.isDefault()
    qtbot.waitUntil(inf.dialog.confirm_button.hasFocus, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert rec.session.phase == "infusing"
    window.shutdown()
