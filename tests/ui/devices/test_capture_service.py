"""The window owns the bedside-monitor listener: closing the devices dialog leaves a
bound monitor recording, switching the theme keeps it bound, closing the window (after
the question that names it) frees the port. All by clicks and keys, with a real MLLP
sender on another thread while the GUI thread drains."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from PySide6.QtCore import QSettings, Qt

from monitor.devices.messages import pcd01_message
from monitor.devices.sender import Ack, MllpSender
from tests.support.window import click, type_into
from ui.main_window import CLOSED_WATCHING_KEY, OPEN_KEY

DEVICE = "00A0370098007A80"
HR, SPO2 = 147842, 150456  # MDC codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def exchange(qtbot, window, port: int, control_id: str, rows: dict[int, float]) -> Ack:
    """One ORU from a real monitor on another thread; the GUI thread drains meanwhile."""
    message = pcd01_message(DEVICE, control_id, window.clock.now(), rows)

    def send() -> Ack:
        with MllpSender("127.0.0.1", port) as sender:
            return sender.send(message)

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(send)
        qtbot.waitUntil(future.done, timeout=10_000)
    return future.result()


def listen_and_bind(qtbot, window) -> int:
    """Devices…, type a port, Listen, hear the monitor, choose its row, Bind."""
    click(qtbot, window.devices_button)
    panel = window.device_panel
    assert panel.isVisible()
    port = free_port()
    panel.port.lineEdit().selectAll()
    qtbot.keyClicks(panel.port, str(port))
    click(qtbot, panel.listen_button)
    assert panel.status.text() == f"Listening on 127.0.0.1:{port}"
    heard = exchange(qtbot, window, port, "H1", {SPO2: 97})
    assert heard.code == "AA" and "is not bound to a session" in heard.text
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)  # its 1 s refresh
    cell = panel.table.item(0, 0)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualItemRect(cell).center())
    click(qtbot, panel.bind_button)
    assert "now records into session" in panel.message.text()
    return port


def from_monitor(rec) -> list[dict[str, object]]:
    return [dict(e.payload) for e in rec.session.events if e.source == "device"]


@pytest.mark.hazard("H-281")
def test_closing_the_dialog_keeps_recording_closing_the_window_frees_the_port(
        qtbot, bedside):
    window, page, rec = bedside
    port = listen_and_bind(qtbot, window)
    panel = window.device_panel
    qtbot.keyClick(panel, Qt.Key.Key_Escape)  # the nurse closes the dialog
    assert not panel.isVisible()
    assert not panel.refresh_timer.isActive()  # nothing to repaint while it is closed

    assert exchange(qtbot, window, port, "D1", {SPO2: 96, HR: 72}).code == "AA"
    assert from_monitor(rec) == [{"hr": 72, "spo2": 96}]

    click(qtbot, window.devices_button)  # opened again: the same listener, still bound
    assert panel.status.text() == f"Listening on 127.0.0.1:{port}"
    assert not panel.listen_button.isEnabled()
    assert panel.table.item(0, 4).text().startswith(rec.session.session_id)
    qtbot.keyClick(panel, Qt.Key.Key_Escape)

    window.clock.advance(60)  # a minute after the monitor's reading, the nurse's own
    type_into(qtbot, page.vitals.edits["spo2"], "89", enter=True)  # an alarm: closing asks
    assert rec.session.active_alarms()
    station = window.devices.station
    window.close()
    question = window.ending
    assert question is not None and question.isVisible() and window.isVisible()
    assert "the bound monitor is unbound (1 device)" in question.stops.text()
    assert not port_is_free(port)  # still listening while the question is open
    click(qtbot, question.end_button)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.devices.station is None
    assert not station.listener._thread.is_alive()
    assert port_is_free(port)
    settings = QSettings()  # the session opens again at the next start; not the next test's
    assert settings.value(OPEN_KEY) == rec.session.session_id
    settings.remove(OPEN_KEY)
    settings.remove(CLOSED_WATCHING_KEY)


@pytest.mark.hazard("H-282")
def test_switching_the_theme_keeps_the_bound_monitor_recording(qtbot, bedside):
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    qtbot.keyClick(window.device_panel, Qt.Key.Key_Escape)
    click(qtbot, window.theme_button)  # the session page is built again
    assert window.page.recorder is rec
    assert window.devices.bound_devices() == [DEVICE]
    ack = exchange(qtbot, window, port, "T1", {SPO2: 95, HR: 74})
    assert (ack.code, ack.text) == ("AA", "")
    assert from_monitor(rec) == [{"hr": 74, "spo2": 95}]


def test_going_back_to_the_list_unbinds_the_monitor_as_the_question_said(qtbot, bedside):
    window, _page, rec = bedside
    port = listen_and_bind(qtbot, window)
    qtbot.keyClick(window.device_panel, Qt.Key.Key_Escape)
    click(qtbot, window.sessions_button)  # nothing is watched: leaves without asking
    assert window.page is None
    assert window.devices.bound_devices(rec) == []
    ack = exchange(qtbot, window, port, "L1", {SPO2: 95})
    assert ack.code == "AA" and "is not bound to a session" in ack.text
    assert from_monitor(rec) == []
