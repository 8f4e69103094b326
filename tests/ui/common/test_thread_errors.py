"""An exception on any thread reaches the nurse's problem bar (and the log), not only
stderr: ``threading.excepthook`` is routed there as ``sys.excepthook`` is, and the
report hops to the GUI thread before any widget is touched."""

from __future__ import annotations

import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from monitor.devices.messages import pcd01_message
from monitor.devices.sender import Ack, MllpSender
from monitor.devices.station import Station
from ui.common.bridge import Hop


def shown(window) -> str:
    return window.problem.text() if window.problem.isVisible() else ""


@pytest.mark.hazard("H-280")
def test_an_exception_that_ends_a_worker_thread_shows_on_the_problem_bar(
        qtbot, bedside, hooked, caplog) -> None:
    window, _page, _rec = bedside
    gui = threading.get_ident()
    painted_on: list[int] = []
    window.problem.setText = (lambda text, _set=window.problem.setText:  # observe, not replace
                              (painted_on.append(threading.get_ident()), _set(text))[1])

    def work() -> None:
        raise RuntimeError("reconnect attempt broke")

    worker = threading.Thread(target=work, name="worker")
    with caplog.at_level(logging.CRITICAL, logger="ui.common.errors"):
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: "reconnect attempt broke" in shown(window), timeout=5000)
    assert shown(window) == (
        "⚠ Unexpected error in the worker thread: RuntimeError: reconnect attempt broke. "
        "Entries already recorded are safe; check that what it brings (device values, the "
        "clinic server's link) still arrives. The details are in the log.")
    assert painted_on == [gui]  # the widget was touched on the GUI thread only
    [record] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert record.getMessage() == "uncaught exception on the worker thread"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


@pytest.mark.hazard("H-280")
def test_a_fault_on_the_mllp_listener_thread_shows_on_the_problem_bar(
        qtbot, bedside, hooked) -> None:
    window, _page, _rec = bedside
    out = io.StringIO()
    out.close()  # the listener's report goes to an output that has gone away
    station = Station(window.clock, port=0, report=out.write)
    station.inbox.on_ready = Hop(station.capture.drain, window)
    port = station.start()

    def send() -> Ack:
        with MllpSender("127.0.0.1", port) as sender:
            return sender.send(pcd01_message("0011223344556677", "E1", window.clock.now(),
                                             {150456: 97}))

    try:
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(send)
            qtbot.waitUntil(future.done, timeout=10_000)
        qtbot.waitUntil(lambda: "bedside-monitor listener" in shown(window), timeout=5000)
    finally:
        station.stop()
    assert future.result().code == "AA"  # the monitor was answered all the same
    assert shown(window).startswith(
        "⚠ Unexpected error in the bedside-monitor listener: ValueError: I/O operation on "
        "closed file.")
