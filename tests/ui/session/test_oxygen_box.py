"""The vitals row's air/oxygen box follows the session's air/oxygen (CLINICAL §7: "Oxygen
started" sets oxygen until "Oxygen stopped" or a set says air), so the set the nurse
types next is stored with what the patient is on, and the box never says "air" while
oxygen runs (H-013). Driven by clicks and keys on the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.model.events import EventKind
from tests.support.window import click, pick_by_keys, type_into


def quick_event_by_click(qtbot, page, code: str) -> None:
    """Open the events palette (F5) and click the quick event, as a nurse does."""
    if page.drawer.current() is not page.events:
        qtbot.keyClick(page, Qt.Key.Key_F5)
    button = page.events.quick_buttons[code]
    qtbot.waitUntil(button.isVisible, timeout=2000)
    click(qtbot, button)


def record_set(qtbot, page) -> None:
    """Type a set into the vitals row and click Record."""
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], "126/80")
    type_into(qtbot, v.edits["hr"], "74")
    type_into(qtbot, v.edits["spo2"], "97")
    type_into(qtbot, v.edits["rr"], "14")
    click(qtbot, v.record_button)


def last_set_o2(rec) -> str:
    """The air/oxygen of the newest vitals set, read back from the SQLite file."""
    sets = [e for e in rec.store.events(rec.session.session_id) if e.kind is EventKind.VITALS]
    return str(sets[-1].payload["o2"])


@pytest.mark.hazard("H-013")
def test_oxygen_started_shows_at_once_and_the_next_set_is_stored_on_oxygen(
        qtbot, bedside, clock):
    _window, page, rec = bedside
    box = page.vitals.o2
    assert box.currentText() == "air"                     # the baseline set was on air
    clock.advance(60)
    quick_event_by_click(qtbot, page, "oxygen_started")
    assert box.currentText() == "oxygen", "the box follows 'Oxygen started' at once"
    assert "Oxygen since" in box.toolTip()
    clock.advance(60)
    record_set(qtbot, page)                               # the nurse never looked at the box
    assert last_set_o2(rec) == "oxygen"
    assert rec.last_evaluation.news2.scores["o2"] == 2
    assert box.currentText() == "oxygen"                  # and it still says so after


@pytest.mark.hazard("H-013")
def test_oxygen_stopped_shows_air_and_the_next_set_is_stored_on_air(qtbot, bedside, clock):
    _window, page, rec = bedside
    box = page.vitals.o2
    quick_event_by_click(qtbot, page, "oxygen_started")
    clock.advance(60)
    record_set(qtbot, page)
    assert last_set_o2(rec) == "oxygen"
    clock.advance(600)
    quick_event_by_click(qtbot, page, "oxygen_stopped")
    assert box.currentText() == "air", "the box follows 'Oxygen stopped' at once"
    clock.advance(60)
    record_set(qtbot, page)
    assert last_set_o2(rec) == "air"
    assert rec.last_evaluation.news2.scores["o2"] == 0


@pytest.mark.hazard("H-013")
def test_a_newer_oxygen_started_overrides_air_picked_in_the_box_before_it(
        qtbot, bedside, clock):
    """The nurse picks "air" with the keys, then the patient desaturates and oxygen is
    started from the palette before the set is recorded: the newer act wins."""
    _window, page, rec = bedside
    box = page.vitals.o2
    pick_by_keys(qtbot, box, "oxygen")
    pick_by_keys(qtbot, box, "air")
    clock.advance(60)
    quick_event_by_click(qtbot, page, "oxygen_started")
    assert box.currentText() == "oxygen"
    clock.advance(60)
    record_set(qtbot, page)
    assert last_set_o2(rec) == "oxygen"


@pytest.mark.hazard("H-013")
def test_a_choice_in_the_box_is_kept_and_stored_while_nothing_about_oxygen_changes(
        qtbot, bedside, clock):
    """A tick or an unrelated event (nausea) leaves the nurse's own choice alone; the set
    she records carries it, and the box then shows the session's value again."""
    _window, page, rec = bedside
    box = page.vitals.o2
    pick_by_keys(qtbot, box, "oxygen")
    clock.advance(30)
    page.tick()
    quick_event_by_click(qtbot, page, "nausea")
    assert box.currentText() == "oxygen"
    record_set(qtbot, page)
    assert last_set_o2(rec) == "oxygen"
    assert box.currentText() == "oxygen"
    pick_by_keys(qtbot, box, "air")                      # a set that says air ends it
    clock.advance(60)
    record_set(qtbot, page)
    assert last_set_o2(rec) == "air"
    assert box.currentText() == "air"


@pytest.mark.hazard("H-013")
def test_a_struck_oxygen_started_puts_the_box_back_to_air(qtbot, bedside, clock):
    _window, page, rec = bedside
    box = page.vitals.o2
    quick_event_by_click(qtbot, page, "oxygen_started")
    started = [e for e in rec.store.events(rec.session.session_id)
               if e.kind is EventKind.QUICK_EVENT][-1]
    assert box.currentText() == "oxygen"
    clock.advance(60)
    rec.strike("RN7", started.seq, "recorded for the wrong patient")
    assert box.currentText() == "air"
    record_set(qtbot, page)
    assert last_set_o2(rec) == "air"


@pytest.mark.hazard("H-013")
def test_a_reopened_session_on_oxygen_opens_with_the_box_on_oxygen(
        qtbot, bedside, store, clock, protocols):
    window, page, rec = bedside
    quick_event_by_click(qtbot, page, "oxygen_started")
    sid = rec.session.session_id
    window.shutdown()
    from monitor.record.recorder import Recorder
    from tests.support.window import make_window
    again = make_window(qtbot, store, clock, protocols)
    reopened = again.open_session(Recorder(store, sid, clock, protocols))
    assert reopened.vitals.o2.currentText() == "oxygen"
    again.shutdown()
