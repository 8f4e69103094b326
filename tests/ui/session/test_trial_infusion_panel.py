"""The infusion panel after a nurse's night at 1280×800: its fields say the rate the
pump runs at and the syringe recorded, from the session, whenever the panel is shown
(after a restart, a rate change, a resume), never the protocol's plan rate; what a
field refuses is said whole in one reserved place and moves no field or button; the
events palette's confirmations name what was recorded. Driven by clicks and keys on the
real window over a real SQLite file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import at_screen, click, make_window, sign_after_recovery, type_into


def _change_rate(qtbot, inf, rate: str) -> None:
    type_into(qtbot, inf.rate, rate)
    click(qtbot, inf.rate_button)
    assert inf.dialog.isVisible(), inf.general.text()
    click(qtbot, inf.confirm_button)


@pytest.mark.hazard("H-315")
def test_after_a_restart_the_panel_shows_the_running_rate_and_the_syringe(
        qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: page.charts is not None)
    qtbot.keyClick(page.vitals.edits["hr"], Qt.Key.Key_F4)
    inf = page.infusion
    qtbot.waitUntil(inf.rate.isVisible)
    assert inf.rate.text() == "0.35"                  # before dosing: the plan's rate
    type_into(qtbot, inf.concentration, "1")
    click(qtbot, inf.start_button)
    click(qtbot, inf.confirm_button)
    assert rec.session.phase == "infusing" and rec.session.concentration == 1
    clock.advance(120)
    _change_rate(qtbot, inf, "0.25")
    assert rec.session.rate_display == (0.25, "mg/kg/h")
    # The window closed mid-infusion (the question answered), then opened again.
    assert window.close() is False
    click(qtbot, window.ending.end_button)
    assert not window.isVisible()
    again = make_window(qtbot, store, clock, protocols)
    page = again.page
    assert page is not None and page.recorder.session.phase == "infusing"
    qtbot.keyClick(page.vitals.edits["hr"], Qt.Key.Key_F4)
    inf = page.infusion
    qtbot.waitUntil(inf.rate.isVisible)
    assert inf.rate.text() == "0.25"                  # the pump's rate, not the plan's 0.35
    assert inf.unit.currentText() == "mg/kg/h"
    assert inf.concentration.text() == "1"            # the syringe recorded at the start
    assert inf.state.text() == "Running · 0.25 mg/kg/h"
    again.shutdown()


@pytest.mark.hazard("H-315")
def test_the_fields_follow_pause_resume_and_a_rate_changed_elsewhere(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", concentration="2")
    page.show_tab(page.infusion)
    inf = page.infusion
    # Half-typed while vitals come in: what the nurse types stays.
    type_into(qtbot, inf.rate, "0.3")
    rec.record_vitals({"hr": "80"}, "RN7")
    assert inf.rate.text() == "0.3"
    # A rate recorded another way (a back-dated change by a colleague): the fields follow.
    rec.change_rate("RN8", "0.2", "mg/kg/h")
    assert (inf.rate.text(), inf.concentration.text()) == ("0.2", "2")
    type_into(qtbot, inf.reason, "nausea")
    click(qtbot, inf.pause_button)
    click(qtbot, inf.confirm_button)
    assert rec.session.paused
    type_into(qtbot, inf.rate, "0.5")                 # typed, then left
    click(qtbot, inf.resume_button)
    click(qtbot, inf.confirm_button)
    assert not rec.session.paused
    assert inf.rate.text() == "0.2"                   # resumed at 0.2: the field says so
    # Shown again after another panel: the session's rate, not what was left typed.
    type_into(qtbot, inf.rate, "0.9")
    page.show_tab(page.events)
    page.show_tab(page.infusion)
    assert inf.rate.text() == "0.2"


def _geometry(inf) -> dict[str, tuple[int, int, int]]:
    """Where each field and button is (left, top, width) in the window. (The red outline
    of a refused field may add a pixel to its own height; nothing moves for it.)"""
    widgets: dict[str, QWidget] = {"rate": inf.rate, "unit": inf.unit,
                                   "concentration": inf.concentration,
                                   "rate_button": inf.rate_button, "reason": inf.reason,
                                   "pause": inf.pause_button, "bolus": inf.bolus,
                                   "stop": inf.stop_button, "time": inf.time}
    return {k: (at.x(), at.y(), w.width()) for k, w in widgets.items()
            for at in [w.mapTo(inf.window(), w.rect().topLeft())]}


def _whole(message) -> None:
    """The message is shown whole: its wrapped text fits the rect it was given."""
    assert message.isVisible()
    rect = message.contentsRect()
    assert rect.width() >= 200, f"{message.text()!r} squeezed into {rect.width()} px"
    assert message.heightForWidth(message.width()) <= message.height(), message.text()
    assert message.sizeHint().height() <= message.height()
    assert message.visibleRegion().boundingRect().size() == message.size()


@pytest.mark.hazard("H-316")
@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
def test_a_refused_value_is_said_whole_and_moves_nothing(qtbot, bedside, clock, screen):
    window, page, rec = bedside
    at_screen(qtbot, window, screen)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", concentration="1")
    qtbot.keyClick(page.vitals.edits["hr"], Qt.Key.Key_F4)
    inf = page.infusion
    qtbot.waitUntil(inf.rate.isVisible)
    scroll = page.drawer.scrolls[inf]
    before = _geometry(inf)
    type_into(qtbot, inf.rate, "abc")
    click(qtbot, inf.rate_button)
    message = inf.field_errors["rate"]
    assert not inf.dialog.isVisible()
    assert message.text().startswith("Rate abc: ")    # names the field and what is allowed
    _whole(message)
    assert _geometry(inf) == before
    assert not scroll.horizontalScrollBar().isVisible()
    # The next click lands on the Rate field, where it was: typing there takes the message.
    click(qtbot, inf.rate)
    qtbot.keyClick(inf.rate, Qt.Key.Key_Backspace)
    assert not message.isVisible() and _geometry(inf) == before
    # An empty pause reason: said whole, named, nothing moves.
    type_into(qtbot, inf.rate, "0.35")
    inf.reason.clear()
    click(qtbot, inf.pause_button)
    reason = inf.field_errors["reason"]
    assert reason.text() == "Pause reason required"
    _whole(reason)
    assert _geometry(inf) == before
    assert not scroll.horizontalScrollBar().isVisible()
    type_into(qtbot, inf.reason, "nausea")
    assert not reason.isVisible() and _geometry(inf) == before


@pytest.mark.hazard("H-317")
def test_confirmations_name_what_was_recorded(qtbot, bedside, clock):
    _window, page, rec = bedside
    page.show_tab(page.events)
    ev = page.events
    type_into(qtbot, ev.med_drug, "Ondansetron")
    type_into(qtbot, ev.med_dose, "4")
    type_into(qtbot, ev.med_reason, "nausea")
    click(qtbot, ev.med_button)
    if ev.dialog.isVisible():
        click(qtbot, ev.dialog.confirm_button)
    given = rec.session.entries_of(EventKind.MEDICATION)[-1]
    assert ev.last.text() == f"✓ Ondansetron 4 mg IV at {_hhmm(given.observed_at)}"
    type_into(qtbot, ev.note, "patient calm")
    click(qtbot, ev.note_button)
    noted = rec.session.entries_of(EventKind.NOTE)[-1]
    assert ev.last.text() == f"✓ Note at {_hhmm(noted.observed_at)}"
    click(qtbot, ev.quick_buttons[next(iter(ev.quick_buttons))])
    quick = rec.session.entries_of(EventKind.QUICK_EVENT)[-1]
    assert ev.last.text() == f"✓ {quick.payload['label']} at {_hhmm(quick.observed_at)}"
    # On a signed record a note is an addendum, and the confirmation says so.
    sign_after_recovery(qtbot, page, rec, clock)
    page.show_tab(page.events)
    type_into(qtbot, ev.note, "family phoned")
    click(qtbot, ev.note_button)
    added = rec.session.entries_of(EventKind.NOTE)[-1]
    assert ev.last.text() == f"✓ Addendum note at {_hhmm(added.observed_at)}"


def _hhmm(when) -> str:
    return when.astimezone().strftime("%H:%M")


