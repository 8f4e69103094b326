"""Errors from worker threads under attack: an exception whose text is many lines,
markup or huge; a flood of failing threads; a thread failing while the window closes.
The problem bar stays one plain line, the alarm banner and Record keep their places,
the window keeps working, and nothing is raised on the way out."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.common.errors import LONGEST


def _fail(message: str, name: str = "worker") -> threading.Thread:
    def work() -> None:
        raise RuntimeError(message)
    thread = threading.Thread(target=work, name=name)
    thread.start()
    return thread


def _place(widget: QWidget, window: QWidget) -> tuple[int, int, int, int]:
    top = widget.mapTo(window, widget.rect().topLeft())
    return top.x(), top.y(), widget.width(), widget.height()


def _layout(window, page) -> list[tuple[int, int, int, int]]:
    return [_place(w, window) for w in (page.banner, page.vitals, page.vitals.record_button)]


@pytest.mark.hazard("H-345")
@pytest.mark.parametrize("message", [
    "line\n" * 60,                                            # a traceback-like text
    "<h1 style='font-size:200px'>BIG</h1>",                 # markup
    "x" * 200_000,                                           # a whole message's content
])
def test_a_thread_error_of_any_text_stays_one_plain_line_and_moves_nothing(
        qtbot, bedside, hooked, message) -> None:
    window, page, _rec = bedside
    qtbot.wait(50)
    before, line = _layout(window, page), window.problem.fontMetrics().lineSpacing()
    _fail(message).join()
    qtbot.waitUntil(window.problem.isVisible, timeout=5000)
    qtbot.wait(100)
    shown = window.problem.text()
    assert "\n" not in shown and len(shown) <= LONGEST + 2
    assert window.problem.sizeHint().height() <= 2 * line   # one line of text
    if message.startswith("<h1"):
        assert "<h1 style='font-size:200px'>BIG</h1>" in shown   # shown as text, not drawn
    assert _layout(window, page) == before   # the banner, the vitals row and Record stay


@pytest.mark.hazard("H-345")
def test_a_flood_of_failing_threads_leaves_the_window_working(qtbot, bedside, hooked) -> None:
    window, page, rec = bedside
    before = _layout(window, page)
    started = time.monotonic()
    threads = [_fail(f"failure {i}\n" * 5, name=f"flood-{i}") for i in range(300)]
    for thread in threads:
        thread.join()
    qtbot.waitUntil(lambda: "failure" in window.problem.text(), timeout=10_000)
    qtbot.wait(200)  # every queued report painted
    assert time.monotonic() - started < 20
    assert "\n" not in window.problem.text() and _layout(window, page) == before
    rec.record_vitals({"sbp": "205", "dbp": "125"}, "RN7")   # the window still alarms
    qtbot.waitUntil(lambda: any(r.isVisible() and "SBP" in r.text.text()
                                for r in page.banner.rows), timeout=5000)


@pytest.mark.hazard("H-345")
def test_a_thread_failing_while_the_window_closes_raises_nothing(
        qtbot, bedside, hooked, capfd) -> None:
    window, _page, _rec = bedside
    go = threading.Event()

    def late() -> None:
        go.wait(5)
        raise RuntimeError("late failure")

    thread = threading.Thread(target=late, name="late")
    thread.start()
    window.shutdown()          # the window closes: its problem handler is gone
    go.set()
    thread.join()
    qtbot.wait(100)            # the queued report is delivered after the window
    assert "late failure" in capfd.readouterr().err   # said on stderr, nothing raised


MARKUP = "<h1 style='font-size:150px'>BIG</h1>"


@pytest.mark.hazard("H-348")
def test_a_patient_name_that_is_markup_is_shown_as_typed_in_the_header(
        qtbot, store, clock, protocols) -> None:
    """A display name is free text (typed, or brought by an imported file): the header
    shows it as typed, one line high, its tooltip too."""
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, baseline_vitals
    from tests.support.window import make_window
    window = make_window(qtbot, store, clock, protocols)
    try:
        rec = Recorder.open_new(store, clock, protocols, {**OPENING, "display_name": MARKUP})
        baseline_vitals(rec)
        page = window.open_session(rec)
        qtbot.wait(50)
        patient = page.header.patient
        assert MARKUP in patient.text()
        assert patient.textFormat() == Qt.TextFormat.PlainText
        assert patient.sizeHint().height() <= 2 * patient.fontMetrics().lineSpacing()
        assert "&lt;h1" in patient.toolTip()   # escaped: read as typed when hovered
    finally:
        window.shutdown()
