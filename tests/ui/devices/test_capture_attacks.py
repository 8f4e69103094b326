"""The window's device capture (ui/devices/capture_service.py) under attack, with real
MLLP senders on other threads and real sockets: a port already taken, a monitor that
connects and never sends, a monitor whose identity is markup, a message naming another
patient while bound, a theme switch and the window closing while a monitor streams."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from monitor.devices.messages import pcd01_message
from monitor.devices.sender import MllpSender
from monitor.devices.station import Station
from monitor.errors import MonitorError
from tests.support.window import click
from tests.ui.devices.test_capture_service import (
    DEVICE,
    HR,
    SPO2,
    exchange,
    free_port,
    from_monitor,
    listen_and_bind,
)


def _listens_again(clock, port: int) -> bool:
    """The port takes a new listener at once (as the next start of the window would)."""
    station = Station(clock, port=port)
    try:
        return station.start() == port
    finally:
        station.stop()


def _listen_on(qtbot, window, port: int) -> None:
    click(qtbot, window.devices_button)
    panel = window.device_panel
    panel.port.lineEdit().selectAll()
    qtbot.keyClicks(panel.port, str(port))
    click(qtbot, panel.listen_button)


@pytest.mark.hazard("H-347")
def test_a_port_already_taken_says_so_and_the_window_goes_on(qtbot, bedside) -> None:
    window, page, rec = bedside
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _listen_on(qtbot, window, port)
        panel = window.device_panel
        assert str(port) in panel.status.text() and "Listening" not in panel.status.text()
        assert not window.devices.listening and panel.listen_button.isEnabled()
    rec.record_vitals({"sbp": "205", "dbp": "125"}, "RN7")   # the window still alarms
    qtbot.waitUntil(lambda: any(r.isVisible() for r in page.banner.rows), timeout=5000)
    click(qtbot, panel.listen_button)                        # the port is free now: it listens
    assert panel.status.text() == f"Listening on 127.0.0.1:{port}"


@contextmanager
def _streaming(port: int, stop: threading.Event, start: datetime,
               patient: str = "") -> Iterator[list[str]]:
    """A monitor sending a message every 20 ms until ``stop`` (its times from ``start``,
    10 ms apart, so none is in the future); yields the ACK codes (and the errors its
    connection met once the listener went)."""
    codes: list[str] = []

    def run() -> None:
        n = 0
        try:
            with MllpSender("127.0.0.1", port, timeout=5) as sender:
                while not stop.is_set():
                    n += 1
                    codes.append(sender.send(pcd01_message(
                        DEVICE, f"S{n}", start + timedelta(milliseconds=10 * n),
                        {SPO2: 97, HR: 70}, patient_id=patient)).code)
                    time.sleep(0.02)
        except (OSError, MonitorError) as exc:
            codes.append(type(exc).__name__)

    thread = threading.Thread(target=run, name="streaming-monitor")
    thread.start()
    try:
        yield codes
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive()


@pytest.mark.hazard("H-347")
def test_closing_the_window_while_a_monitor_streams_frees_the_port_at_once(
        qtbot, bedside) -> None:
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    qtbot.keyClick(window.device_panel, Qt.Key.Key_Escape)
    stop = threading.Event()
    with _streaming(port, stop, window.clock.now() + timedelta(milliseconds=1)) as codes:
        qtbot.waitUntil(lambda: len(from_monitor(rec)) >= 1 and codes.count("AA") >= 3,
                        timeout=10_000)
        station = window.devices.station
        began = time.monotonic()
        window.shutdown()
        took = time.monotonic() - began
        assert took < 5.0, took
        assert not station.listener._thread.is_alive()
        assert _listens_again(window.clock, port)
    saved = len(rec.session.events)
    assert saved == len(rec.store.events(rec.session.session_id))  # all shown was stored


@pytest.mark.hazard("H-347")
def test_a_monitor_that_connects_and_never_sends_holds_nothing_up(qtbot, bedside) -> None:
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    qtbot.keyClick(window.device_panel, Qt.Key.Key_Escape)
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    half = socket.create_connection(("127.0.0.1", port))
    half.sendall(b"\x0bMSH|^~\\&|half a frame")                # and one that stops midway
    try:
        ack = exchange(qtbot, window, port, "N1", {SPO2: 96, HR: 71})
        assert ack.code == "AA" and from_monitor(rec) == [{"hr": 71, "spo2": 96}]
        station = window.devices.station
        began = time.monotonic()
        window.shutdown()
        assert time.monotonic() - began < 5.0
        assert not station.listener._thread.is_alive()
        assert _listens_again(window.clock, port)
    finally:
        for s in (*silent, half):
            s.close()


@pytest.mark.hazard("H-347")
def test_a_switch_of_theme_while_a_monitor_streams_loses_nothing(qtbot, bedside) -> None:
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    qtbot.keyClick(window.device_panel, Qt.Key.Key_Escape)
    stop = threading.Event()
    with _streaming(port, stop, window.clock.now() + timedelta(milliseconds=1)) as codes:
        qtbot.waitUntil(lambda: codes.count("AA") >= 3, timeout=10_000)
        for _ in range(4):
            click(qtbot, window.theme_button)
            qtbot.wait(50)
        sent = codes.count("AA")
        qtbot.waitUntil(lambda: codes.count("AA") >= sent + 3, timeout=10_000)
        assert window.devices.bound_devices() == [DEVICE]
    assert set(codes) <= {"AA"}, codes
    # every value acknowledged was recorded (equal values de-duplicate by time)
    assert len(from_monitor(rec)) >= 1
    assert window.page.recorder is rec


@pytest.mark.hazard("H-347")
def test_a_message_for_another_patient_while_bound_records_nothing(qtbot, bedside) -> None:
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    stop = threading.Event()
    with _streaming(port, stop, window.clock.now() + timedelta(milliseconds=1),
                    patient="MRN-9999") as codes:
        qtbot.waitUntil(lambda: len(codes) >= 3, timeout=10_000)
    assert set(codes) == {"AE"}, codes
    assert from_monitor(rec) == []


@pytest.mark.hazard("H-348")
def test_a_monitor_whose_identity_is_markup_is_shown_as_text(qtbot, bedside) -> None:
    """Sender name, bed and patient come from the network: the devices dialog shows
    them as the text they are (markup would be drawn, and an image tag would make the
    window read a file of the monitor's choosing)."""
    window, _page, _rec = bedside
    port = free_port()
    _listen_on(qtbot, window, port)
    panel = window.device_panel
    markup = "<h1 style='font-size:120px'>BIG</h1>"
    message = pcd01_message(DEVICE, "M1", window.clock.now(), {SPO2: 97},
                            patient_id=markup, bed=markup)

    def send() -> None:
        with MllpSender("127.0.0.1", port) as sender:
            sender.send(message)

    thread = threading.Thread(target=send)
    thread.start()
    thread.join(10)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    cell = panel.table.item(0, 0)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualItemRect(cell).center())
    click(qtbot, panel.bind_button)
    assert markup in panel.message.text()
    assert panel.message.textFormat() == Qt.TextFormat.PlainText
    line = panel.message.fontMetrics().lineSpacing()
    assert panel.message.sizeHint().height() <= 6 * line   # its lines, not a 120 px title
