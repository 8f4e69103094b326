"""The vitals row after a new nurse's trial at 1280×800, driven by keys: an unfinished
"120/" in SBP never shifts the values typed after it, a refused set is readable on the
reserved line without hovering, and the "are you sure" question about an unusual reading
moves nothing and hands the cursor back to the row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from monitor.model.events import EventKind
from tests.support.window import CLIENT, at_screen

SIZES = list(CLIENT)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def type_then_tab(qtbot, texts: list[str]) -> None:
    """Type each text where the cursor is, then Tab, as the nurse does."""
    for text in texts:
        widget = focused()
        assert widget is not None
        qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)


def where(widget: QWidget) -> QRect:
    top_left = widget.mapTo(widget.window(), widget.rect().topLeft())
    return QRect(top_left, widget.size())


def whole(label) -> bool:
    """A one-line label shows all of its text."""
    return (label.isVisible() and not label.wordWrap()
            and label.fontMetrics().horizontalAdvance(label.text())
            <= label.contentsRect().width())


@pytest.mark.hazard("H-320")
def test_an_unfinished_pair_in_sbp_keeps_the_cursor_in_dbp(qtbot, bedside) -> None:
    _window, page, _rec = bedside
    v = page.vitals
    v.focus_first()
    qtbot.waitUntil(lambda: focused() is v.edits["sbp"])
    type_then_tab(qtbot, ["120/"])
    assert focused() is v.edits["dbp"]                         # not skipped
    type_then_tab(qtbot, ["80", "76", "97", "14", "36.8", "38"])
    assert {k: e.text() for k, e in v.edits.items()} == {
        "sbp": "120/", "dbp": "80", "hr": "76", "spo2": "97", "rr": "14",
        "temp": "36.8", "etco2": "38"}                          # each where it was typed
    assert v.edits["dbp"].placeholderText() != "in SBP"


@pytest.mark.hazard("H-320")
def test_a_whole_pair_in_sbp_still_fills_both(qtbot, bedside, store) -> None:
    _window, page, rec = bedside
    v = page.vitals
    v.focus_first()
    qtbot.waitUntil(lambda: focused() is v.edits["sbp"])
    type_then_tab(qtbot, ["128/82"])
    assert focused() is v.edits["hr"]                           # a whole pair: DBP in it
    assert v.edits["dbp"].placeholderText() == "in SBP"
    qtbot.keyClicks(focused(), "72")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert v.field_errors["dbp"].text() == "" and v.general.text() == ""
    last = [e for e in store.events(rec.session.session_id) if e.kind is EventKind.VITALS][-1]
    assert (last.payload["sbp"], last.payload["dbp"], last.payload["hr"]) == (128, 82, 72)


def _refuse_five(qtbot, v) -> None:
    """The trial's set: five refused values, the cursor left in EtCO2."""
    for key, text in (("sbp", "120/"), ("hr", "76"), ("spo2", "7a"), ("rr", "98"),
                      ("temp", "14"), ("etco2", "36,8")):
        v.edits[key].setFocus()
        qtbot.keyClicks(v.edits[key], text)
    qtbot.keyClick(v.edits["etco2"], Qt.Key.Key_Return)


@pytest.mark.hazard("H-321")
@pytest.mark.parametrize("screen", SIZES)
def test_refused_values_are_readable_without_hovering(qtbot, themed, bedside, screen) -> None:
    window, page, _rec = bedside
    at_screen(qtbot, window, screen)
    v = page.vitals
    v.focus_first()
    _refuse_five(qtbot, v)
    said = {k: m.full_text() for k, m in v.field_errors.items() if m.full_text()}
    assert set(said) == {"sbp", "spo2", "rr", "temp", "etco2"}
    for key in said:                                             # every refused field is red
        assert v.edits[key].property("invalid"), key
    # The message of the field the cursor is in, whole; the others named after it.
    lead = v.field_errors["etco2"]
    assert lead.text() == said["etco2"] == "EtCO2 36,8: a whole number from 0 to 150 mmHg"
    assert whole(lead), (lead.text(), lead.width())
    others = [m for k, m in v.field_errors.items() if k != "etco2"]
    assert not any(m.isVisible() for m in others)              # one message at a time
    assert v.line.more.text() == "+4 more: SBP, SpO2, RR, Temp" and whole(v.line.more)
    assert v.line.more.toolTip().splitlines()[0] == said["sbp"]          # and on hover
    # Tab back to SBP: its message, whole, naming the field and what is allowed.
    v.edits["sbp"].setFocus()
    qtbot.waitUntil(lambda: v.field_errors["sbp"].isVisible())
    sbp = v.field_errors["sbp"]
    assert sbp.text() == "SBP 120/: type systolic/diastolic, for example 128/82"
    assert whole(sbp) and not lead.isVisible()
    assert v.line.more.text() == "+4 more: SpO2, RR, Temp, EtCO2"
    # Away from the row (Record): the first message of the row, whole.
    v.record_button.setFocus()
    qtbot.waitUntil(lambda: focused() is v.record_button)
    assert sbp.isVisible() and whole(sbp)
    # Fixed one by one: the next message shows whole, the count goes down, then nothing.
    qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_Backspace)
    v.record_button.setFocus()
    assert v.field_errors["spo2"].isVisible() and whole(v.field_errors["spo2"])
    assert v.line.more.text() == "+3 more: RR, Temp, EtCO2"
    for key, text in (("spo2", "97"), ("rr", "14"), ("temp", "36.8"), ("etco2", "38")):
        v.edits[key].clear()
        qtbot.keyClicks(v.edits[key], text)
    qtbot.keyClick(v.edits["etco2"], Qt.Key.Key_Return)
    assert not v.line.more.isVisible()
    assert not any(m.isVisible() for m in v.field_errors.values())


@pytest.mark.hazard("H-322")
@pytest.mark.parametrize("screen", SIZES)
def test_the_unusual_reading_question_moves_nothing(qtbot, themed, bedside, screen) -> None:
    window, page, rec = bedside
    at_screen(qtbot, window, screen)
    qtbot.waitUntil(lambda: page.charts is not None)
    v = page.vitals
    watched = [v, v.record_button, *v.edits.values(), v.time, page.header]

    def geometry():
        QApplication.processEvents()
        lane = page.charts.plots["bp"].getViewBox().height()
        return [where(w) for w in watched], round(lane)

    before = geometry()
    v.focus_first()
    type_then_tab(qtbot, ["35/20", "70", "97"])
    qtbot.keyClicks(focused(), "0")                             # RR 0
    assert focused() is v.edits["rr"]
    qtbot.keyClick(v.edits["rr"], Qt.Key.Key_Return)
    bar = v.confirm_bar
    assert bar.isVisible() and "Respiratory rate 0 /min" in bar.text.text()
    assert "Systolic BP 35 mmHg" in bar.text.text()
    assert geometry() == before                                 # during
    # A small question under the alarm banner, above the row: the row and Record in sight.
    assert bar.isWindow()
    banner_bottom = page.banner.mapToGlobal(page.banner.rect().bottomLeft()).y()
    assert banner_bottom <= bar.geometry().top()
    assert bar.frameGeometry().bottom() < v.mapToGlobal(v.rect().topLeft()).y()
    qtbot.waitUntil(bar.cancel_button.hasFocus, timeout=2000)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)                # Cancel, by Enter
    assert not bar.isVisible()
    assert geometry() == before                                 # after
    qtbot.waitUntil(lambda: focused() is v.edits["rr"], timeout=2000)  # back in the row
    assert v.edits["rr"].text() == "0" and v.edits["sbp"].text() == "35/20"
    assert rec.session.entries_of(EventKind.VITALS)[-1].payload.get("rr") != 0
    qtbot.keyClick(focused(), Qt.Key.Key_Return)                # the next Enter asks again
    assert bar.isVisible()
    qtbot.waitUntil(bar.cancel_button.hasFocus, timeout=2000)
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)                # Escape cancels too
    assert not bar.isVisible()
    qtbot.waitUntil(lambda: focused() is v.edits["rr"], timeout=2000)
