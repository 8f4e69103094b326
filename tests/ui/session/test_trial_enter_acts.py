"""Enter in a panel's last field presses that panel's action through the same
check-then-ask path as the button (a nurse's trial: Enter did nothing in the rate,
concentration and medication reason fields)."""

from __future__ import annotations

from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into


def test_enter_in_rate_starts_then_changes_rate_and_enter_gives_medication(
        qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    page.show_tab(page.infusion)
    inf = page.infusion
    inf.refresh()
    type_into(qtbot, inf.concentration, "abc", enter=True)     # checked first: refused
    assert not inf.dialog.isVisible() and rec.session.phase == "baseline"
    type_into(qtbot, inf.concentration, "", enter=False)
    type_into(qtbot, inf.rate, "0.35", enter=True)             # Enter = Start infusion
    assert inf.dialog.isVisible() and "Start infusion at 0.35" in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert rec.session.phase == "infusing"
    clock.advance(300)
    inf.refresh()
    type_into(qtbot, inf.rate, "0.3", enter=True)              # Enter = Change rate
    assert inf.dialog.isVisible() and "Change rate to 0.3" in inf.question.text()
    click(qtbot, inf.confirm_button)
    assert len(rec.session.entries_of(EventKind.RATE_CHANGED)) == 1
    page.show_tab(page.events)
    ev = page.events
    type_into(qtbot, ev.med_drug, "ondansetron")
    type_into(qtbot, ev.med_dose, "4")
    type_into(qtbot, ev.med_reason, "nausea", enter=True)      # Enter = Give medication
    if ev.dialog.isVisible():
        click(qtbot, ev.dialog.confirm_button)
    assert len(rec.session.entries_of(EventKind.MEDICATION)) == 1
    window.shutdown()
