"""Side panels are built when first needed: the window is ready without them, and a
panel built late shows the session as it then is, enabled or locked as it should be."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.support.window import (
    click,
    sign_after_recovery,
    type_into,
)


def test_ready_without_panels_and_a_click_builds_and_opens_one(qtbot, bedside):
    _window, page, rec = bedside
    assert page.charts is not None and page.drawer.built == {}
    click(qtbot, page.drawer.button_for("Log"))
    log = page.drawer.current()
    assert list(page.drawer.built) == ["Log"] and log is page.log
    assert page.drawer.panel.isVisible()
    assert [e.seq for e in log.model.rows if e.kind.value == "vitals_recorded"] == [
        e.seq for e in rec.session.events if e.kind.value == "vitals_recorded"]


def test_function_key_opens_a_panel_never_built(qtbot, bedside):
    _window, page, _rec = bedside
    page.vitals.edits["sbp"].setFocus()
    qtbot.waitUntil(page.vitals.edits["sbp"].hasFocus, timeout=2000)
    qtbot.keyClick(page.vitals.edits["sbp"], Qt.Key.Key_F3)
    assert list(page.drawer.built) == ["Assessment"]
    assert page.drawer.current() is page.assessment and page.assessment.isEnabled()


def test_a_panel_built_late_shows_what_was_recorded_before(qtbot, bedside, clock):
    _window, page, rec = bedside
    for sbp in ("131/84", "142/90"):
        clock.advance(300)
        type_into(qtbot, page.vitals.edits["sbp"], sbp)
        click(qtbot, page.vitals.record_button)
    assert "Log" not in page.drawer.built
    new = [e.seq for e in rec.session.events if e.kind.value == "vitals_recorded"][-2:]
    click(qtbot, page.drawer.button_for("Log"))
    assert set(new) <= {e.seq for e in page.log.model.rows}
    # From now on the built log follows every commit.
    clock.advance(300)
    type_into(qtbot, page.vitals.edits["sbp"], "150/95")
    click(qtbot, page.vitals.record_button)
    assert rec.session.events[-1].seq in {e.seq for e in page.log.model.rows}


def test_panels_built_before_signing_lock_with_the_record(qtbot, bedside, clock):
    _window, page, rec = bedside
    assert page.assessment.isEnabled() and page.infusion.isEnabled()  # built now, open
    sign_after_recovery(qtbot, page, rec, clock)
    assert not page.assessment.isEnabled() and not page.infusion.isEnabled()
    assert "Events" not in page.drawer.built
    assert not any(b.isEnabled() for b in page.events.quick_buttons.values())  # built locked
    # The log and the alarm limits, built after signing: read, not corrected.
    assert "Log" not in page.drawer.built and "Alarms" not in page.drawer.built
    log, alarms = page.log, page.alarm_history
    assert not any(w.isEnabled() for w in (log.amend_button, log.strike_button,
                                            log.artifact_button, log.reason))
    assert not alarms.limits.isEnabled() and log.table.isEnabled()


def test_quick_keys_record_nothing_on_a_signed_record(qtbot, bedside, clock, store):
    _window, page, rec = bedside
    sign_after_recovery(qtbot, page, rec, clock)
    before = len(store.events(rec.session.session_id))
    page.vitals.edits["sbp"].setFocus()
    qtbot.keyClick(page.vitals.edits["sbp"], Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert len(store.events(rec.session.session_id)) == before


def test_opening_a_panel_puts_the_cursor_in_it(qtbot, bedside):
    _window, page, _rec = bedside
    sbp = page.vitals.edits["sbp"]
    sbp.setFocus()
    qtbot.waitUntil(sbp.hasFocus, timeout=2000)
    for key, name in ((Qt.Key.Key_F7, "alarm_history"), (Qt.Key.Key_F3, "assessment"),
                      (Qt.Key.Key_F6, "log")):
        qtbot.keyClick(QApplication.focusWidget(), key)
        panel = getattr(page, name)
        qtbot.waitUntil(lambda p=panel: p.isAncestorOf(QApplication.focusWidget()),
                        timeout=2000)
    qtbot.keyClicks(QApplication.focusWidget(), "77")
    assert sbp.text() == "" and page.vitals.edits["dbp"].text() == ""


def test_acknowledging_gives_the_cursor_back(qtbot, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "26"}, "RN7")
    sbp = page.vitals.edits["sbp"]
    sbp.setFocus()
    qtbot.waitUntil(sbp.hasFocus, timeout=2000)
    qtbot.keyClick(sbp, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(page.banner.action, Qt.Key.Key_Return)
    assert not page.banner.ack_panel.isVisible()
    qtbot.keyClicks(QApplication.focusWidget(), "120")
    assert sbp.text() == "120" and page.header.nurse.text() == "RN7"
    sbp.clear()  # nothing half-typed left behind


def test_a_score_is_typed_over_its_dash(qtbot, bedside):
    _window, page, _rec = bedside
    page.show_tab(page.assessment)
    pain = page.assessment.pain
    assert pain.text() == "—"
    click(qtbot, pain)
    qtbot.waitUntil(pain.hasFocus, timeout=2000)
    qtbot.keyClicks(pain, "3")
    assert pain.value() == 3
    qtbot.keyClicks(pain, "7")  # a second digit: 37 is out of range, so it stays 3
    assert pain.value() == 3
    pain.setValue(pain.minimum())


def test_tab_after_a_slashed_bp_skips_dbp(qtbot, bedside, store):
    _window, page, rec = bedside
    v = page.vitals
    v.focus_first()
    qtbot.waitUntil(v.edits["sbp"].hasFocus, timeout=2000)
    for text in ("128/82", "72", "98", "15"):
        qtbot.keyClicks(QApplication.focusWidget(), text)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert [v.edits[k].text() for k in ("sbp", "dbp", "hr", "spo2", "rr")] == [
        "128/82", "", "72", "98", "15"]
    click(qtbot, v.record_button)
    last = store.events(rec.session.session_id)[-1]
    assert last.kind.value == "vitals_recorded"
    assert (last.payload["sbp"], last.payload["dbp"], last.payload["hr"]) == (128, 82, 72)
    assert v.edits["dbp"].focusPolicy() == Qt.FocusPolicy.StrongFocus  # cleared: back in
