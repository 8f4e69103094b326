"""Every event line on the chart has its label or is counted into the label beside it
("Nausea +2", every text on hover), the same live and in a window reopened on the same
database (the trial at 1280×800: "Nausea" and the ondansetron had no label before a
restart, "start" and "rate" none after it, and the end never had one)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from monitor.record.recorder import Recorder
from tests.support.window import at_screen, click, make_window, open_session_window, type_into
from ui.charts.event_labels import Box, place


def _marks(page) -> list[tuple[str, str]]:
    QApplication.processEvents()
    return page.charts.event_marks()


def _trial_session(qtbot, page, rec, clock) -> None:
    """Start, a rate change, Nausea and ondansetron clicked in the Events panel within
    a minute, a pause, a resume."""
    rec.start_infusion("RN7", rate="0.25", rate_unit="mg/kg/h")
    clock.advance(60)
    rec.change_rate("RN7", rate="0.3", rate_unit="mg/kg/h")
    clock.advance(15)
    qtbot.keyClick(page.window(), Qt.Key.Key_F5)  # the Events panel
    assert page.events.isVisible()
    click(qtbot, page.events.quick_buttons["nausea"])
    clock.advance(15)
    type_into(qtbot, page.events.med_drug, "ondansetron")
    type_into(qtbot, page.events.med_dose, "4")
    type_into(qtbot, page.events.med_reason, "nausea")
    click(qtbot, page.events.med_button)
    if page.events.dialog.isVisible():
        click(qtbot, page.events.dialog.confirm_button)
    clock.advance(60)
    rec.pause_infusion("RN7", "nausea")
    clock.advance(30)
    rec.resume_infusion("RN7")


def _every_line_marked(marks: list[tuple[str, str]], words: tuple[str, ...]) -> None:
    unmarked = [full for full, shown in marks if not shown]
    assert unmarked == [], f"event lines with neither a label nor a count: {unmarked}"
    texts = " ".join(full for full, _shown in marks)
    assert all(w in texts for w in words), texts
    # a line whose own label is hidden is counted: its label says "+N"
    for full, shown in marks:
        if not full.endswith(shown.split(" +")[0]):
            assert "+" in shown, (full, shown)


@pytest.mark.hazard("H-330")
@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
def test_every_event_line_has_a_label_or_a_count_live_and_reopened(
        qtbot, store, clock, protocols, screen):
    window, page, rec = open_session_window(qtbot, store, clock, protocols)
    at_screen(qtbot, window, screen)
    _trial_session(qtbot, page, rec, clock)
    words = ("start", "rate", "Nausea", "ondanset", "pause", "resume")
    _every_line_marked(_marks(page), words)
    clock.advance(60)
    rec.stop_infusion("RN7")
    live = _marks(page)
    _every_line_marked(live, (*words, "end"))
    assert len(live) == 7
    window.shutdown()
    again = make_window(qtbot, store, clock, protocols)
    at_screen(qtbot, again, screen)
    page = again.open_session(Recorder(store, rec.session.session_id, clock, protocols))
    at_screen(qtbot, again, screen)
    qtbot.keyClick(again, Qt.Key.Key_F5)  # the same panel open: the same room
    assert page.events.isVisible()
    assert _marks(page) == live
    again.shutdown()


@pytest.mark.hazard("H-330")
def test_a_label_with_no_room_is_counted_into_the_one_before_it():
    # three labels at one instant, one row, nothing else on it: one shown, "+2"
    placed = place([Box(10, 40), Box(10, 40), Box(10, 40)], 1, [[]], 1000, 20)
    assert [p.row for p in placed] == [0, None, None]
    assert placed[0].members == [0, 1, 2] and placed[1].group == placed[2].group == 0
    # the first has no room (a limit label holds the only row): the next shown one
    # carries it
    placed = place([Box(10, 40), Box(200, 40)], 1, [[(0, 100)]], 1000, 20)
    assert [p.row for p in placed] == [None, 0] and placed[1].members == [1, 0]
    # no room anywhere: the first label is shown regardless, with the count
    placed = place([Box(10, 40), Box(20, 40)], 1, [[(0, 1000)]], 1000, 20)
    assert placed[0].row == 0 and placed[0].members == [0, 1]
