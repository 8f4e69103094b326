"""Entry by keys at the bedside (issue 23): Enter moves on through the assessment's
score boxes and lists and the vitals row's lists, and in the last field records as the
panel's button does; a message under the vitals row goes once the field it names is
valid or the set is recorded. Driven by keys and clicks on the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from monitor.model.events import EventKind
from tests.support.window import click, type_into


def _focus(page):
    return QApplication.focusWidget() or page.focusWidget()


def _enter(qtbot, page) -> None:
    qtbot.keyClick(_focus(page), Qt.Key.Key_Return)


def _assessments(rec) -> list:
    return [e for e in rec.store.events(rec.session.session_id)
            if e.kind is EventKind.ASSESSMENT]


@pytest.mark.hazard("H-262")
def test_enter_moves_through_the_assessment_and_records_from_its_time(qtbot, bedside) -> None:
    _window, page, rec = bedside
    before = len(_assessments(rec))
    qtbot.keyClick(page, Qt.Key.Key_F3)
    a = page.assessment
    last_level = list(a.sedation_buttons.values())[-1]
    click(qtbot, a.sedation_buttons[4])
    last_level.setFocus()
    qtbot.keyClick(last_level, Qt.Key.Key_Tab)               # Tab and Enter go one way
    assert _focus(page) is a.acvpu
    qtbot.keyClick(a.acvpu, Qt.Key.Key_Down)                 # A
    _enter(qtbot, page)
    assert _focus(page) is a.dissociation
    qtbot.keyClicks(a.dissociation, "2")
    _enter(qtbot, page)                                      # a score box moves on
    assert _focus(page) is a.pain and a.dissociation.value() == 2
    qtbot.keyClicks(a.pain, "3")
    _enter(qtbot, page)
    assert _focus(page) is a.nausea
    qtbot.keyClick(a.nausea, Qt.Key.Key_Down)
    _enter(qtbot, page)                                      # a closed list moves on
    assert _focus(page) is a.severity["anxiety"]
    _enter(qtbot, page)
    assert _focus(page) is a.severity["perceptual"]
    _enter(qtbot, page)
    for i, box in enumerate(a.cadss):
        assert _focus(page) is box, f"CADSS-6 item {i + 1}"
        qtbot.keyClicks(box, "1" if i % 2 else "0")
        _enter(qtbot, page)
    assert _focus(page) is a.comment
    qtbot.keyClicks(a.comment, "calm, eyes closed")
    _enter(qtbot, page)
    assert _focus(page) is a.time and len(_assessments(rec)) == before  # nothing yet
    _enter(qtbot, page)                                      # Enter in the time: Record
    recorded = _assessments(rec)
    assert len(recorded) == before + 1
    p = recorded[-1].payload
    assert (p["moaas"], p["acvpu"], p["dissociation"], p["pain"]) == (4, "A", 2, 3)
    assert p["nausea"] == a.nausea.itemData(1) and p["cadss6"] == [0, 1, 0, 1, 0, 1]
    assert p["comment"] == "calm, eyes closed"
    assert a.saved.text().startswith("✓ Saved")


@pytest.mark.hazard("H-262")
def test_enter_in_the_assessment_time_checks_first_and_refuses_an_empty_one(
        qtbot, bedside) -> None:
    _window, page, rec = bedside
    before = len(_assessments(rec))
    qtbot.keyClick(page, Qt.Key.Key_F3)
    a = page.assessment
    type_into(qtbot, a.time, "", enter=True)                 # nothing rated: refused
    assert len(_assessments(rec)) == before
    assert a.general.text() and not a.saved.text()
    click(qtbot, a.pain)
    qtbot.keyClicks(a.pain, "37")                            # 37 is out of range: 3
    _enter(qtbot, page)
    assert _focus(page) is a.nausea and a.pain.value() == 3


@pytest.mark.hazard("H-262")
def test_enter_on_the_vitals_lists_moves_on_and_records_from_the_time(qtbot, bedside) -> None:
    _window, page, rec = bedside
    v = page.vitals
    type_into(qtbot, v.edits["hr"], "76")
    click(qtbot, v.edits["etco2"])                           # the last value ...
    qtbot.waitUntil(v.edits["etco2"].hasFocus)
    qtbot.keyClick(v.edits["etco2"], Qt.Key.Key_Tab)        # ... Tab: the first list
    assert _focus(page) is v.o2
    qtbot.keyClick(v.o2, Qt.Key.Key_Down)                    # oxygen, by key
    assert v.o2.currentText() == "oxygen" and _focus(page) is v.o2
    events = len(rec.session.events)
    _enter(qtbot, page)                                      # closed: moves on
    assert _focus(page) is v.missing and len(rec.session.events) == events
    _enter(qtbot, page)
    assert _focus(page) is v.time and len(rec.session.events) == events
    _enter(qtbot, page)                                      # Enter in Time: Record
    last = rec.store.events(rec.session.session_id)
    vitals = [e for e in last if e.kind is EventKind.VITALS][-1]
    assert vitals.payload["hr"] == 76 and vitals.payload["o2"] == "oxygen"
    assert v.saved_label.text().startswith("✓ Saved")


def _messages(v) -> dict[str, str]:
    return {k: lab.text() for k, lab in v.field_errors.items() if lab.isVisible()}


@pytest.mark.hazard("H-263")
def test_a_message_about_the_set_goes_once_any_value_is_typed(qtbot, bedside) -> None:
    _window, page, _rec = bedside
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], "", enter=True)         # nothing typed
    assert _messages(v) == {"sbp": "SBP enter at least one value"}
    type_into(qtbot, v.edits["hr"], "72")                    # a value: the set is fixed
    assert _messages(v) == {}
    assert not v.edits["sbp"].property("invalid")


@pytest.mark.hazard("H-263")
def test_a_message_goes_when_another_field_makes_its_field_valid(qtbot, bedside) -> None:
    _window, page, _rec = bedside
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], "90")
    type_into(qtbot, v.edits["dbp"], "95", enter=True)       # DBP ≥ SBP: refused
    assert set(_messages(v)) == {"dbp"} and "below systolic" in _messages(v)["dbp"]
    type_into(qtbot, v.edits["hr"], "400")                   # still wrong: it stays
    assert set(_messages(v)) == {"dbp"}
    type_into(qtbot, v.edits["sbp"], "130")                  # SBP fixes the DBP
    assert _messages(v) == {}
    _enter(qtbot, page)                                      # HR 400 is said at Enter
    assert set(_messages(v)) == {"hr"}


@pytest.mark.hazard("H-263")
def test_every_message_goes_when_a_valid_set_is_recorded(qtbot, bedside, store) -> None:
    _window, page, rec = bedside
    v = page.vitals
    type_into(qtbot, v.edits["hr"], "400", enter=True)
    assert set(_messages(v)) == {"hr"}
    type_into(qtbot, page.header.nurse, "")                  # no nurse ID
    type_into(qtbot, v.edits["hr"], "80", enter=True)
    assert _messages(v) == {} and "Nurse ID" in v.general.text() and v.general.isVisible()
    type_into(qtbot, page.header.nurse, "RN7")
    click(qtbot, v.record_button)                            # the set is recorded
    assert store.events(rec.session.session_id)[-1].payload["hr"] == 80
    assert _messages(v) == {} and not v.general.isVisible() and not v.general.text()
