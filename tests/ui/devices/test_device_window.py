"""Devices in the window: the demo's simulated monitor over MLLP."""

from __future__ import annotations

import pytest

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.devices.demo_feed import DEMO_DEVICE
from monitor.log.sqlite.store import Store


def test_window_demo_records_device_samples_sent_over_mllp(qtbot, tmp_path):
    from ui.main_window import MainWindow
    with Store(tmp_path / "demo.db") as store:
        window = MainWindow(store, SystemClock(), load_protocols())
        qtbot.addWidget(window)
        window.start_demo({"seed": 3, "speed": 3000, "device": "hl7",
                           "device_rate": 0.05})   # one sample per 20 simulated s
        feed = window.demo.script.device_feed
        assert feed is not None

        def from_monitor() -> int:
            return sum(1 for e in window.page.recorder.session.events
                       if e.source == "device" and e.author == DEMO_DEVICE)

        qtbot.waitUntil(lambda: from_monitor() >= 5, timeout=15000)
        assert feed.station.diagnostics.device(DEMO_DEVICE).recorded >= 10   # HR and SpO2
        window.shutdown()
        assert window.demo.script.device_feed is None
        assert not feed.station.listener._thread.is_alive()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_device_panel_binds_a_heard_monitor_shows_what_it_sends_and_unbinds(qtbot, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    from PySide6.QtCore import Qt

    from monitor.clock import ManualClock
    from monitor.devices.messages import pcd01_message
    from monitor.devices.sender import MllpSender
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING
    from ui.main_window import MainWindow

    device = "00A0370098007A80"
    with Store(tmp_path / "panel.db") as store:
        protocols = load_protocols()
        rec = Recorder.open_new(store, ManualClock(datetime.now(UTC) - timedelta(minutes=5)),
                                protocols, dict(OPENING))
        rec = Recorder(store, rec.session.session_id, SystemClock(), protocols)
        window = MainWindow(store, SystemClock(), protocols)
        qtbot.addWidget(window)
        window.open_session(rec)
        qtbot.mouseClick(window.devices_button, Qt.MouseButton.LeftButton)
        panel = window.device_panel
        assert panel.isVisible()
        panel.port.setValue(_free_port())
        qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)
        assert panel.status.text() == f"Listening on 127.0.0.1:{panel.port.value()}"
        pool = ThreadPoolExecutor(1)

        def send(control_id: str, rows: dict[int, float]):
            message = pcd01_message(device, control_id, datetime.now(UTC) - timedelta(seconds=1),
                                    rows)
            with MllpSender("127.0.0.1", panel.port.value()) as sender:
                return sender.send(message)

        def exchange(control_id: str, rows: dict[int, float]):
            future = pool.submit(send, control_id, rows)
            qtbot.waitUntil(future.done, timeout=10000)   # the GUI thread drains meanwhile
            return future.result()

        def device_entries() -> list[dict[str, object]]:
            return [dict(e.payload) for e in rec.session.events if e.source == "device"]

        first = exchange("P1", {150456: 97, 150488: 3.1})
        assert (first.code, first.text) == ("AA", f"device {device} is not bound to a session: "
                                                  "nothing recorded; not mapped, not "
                                                  "recorded: 150488")
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
        assert panel.peers.text() == "Connected: none"   # the monitor hung up after sending
        held = MllpSender("127.0.0.1", panel.port.value())

        def shows_peer() -> bool:
            panel.refresh()
            return panel.peers.text().endswith("(0 messages, 0 errors)")

        qtbot.waitUntil(shows_peer, timeout=5000)
        assert panel.peers.text().startswith("Connected: 127.0.0.1:")
        held.close()
        assert "connection from 127.0.0.1:" in panel.lines.item(0).text()
        cell = panel.table.item(0, 0)
        assert cell.text() == device
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=panel.table.visualItemRect(cell).center())
        text = panel.details.toPlainText()
        assert "Last values: SpO2 97 %" in text
        assert "Codes sent but not mapped (not recorded): 150488" in text
        assert device_entries() == []

        qtbot.mouseClick(panel.bind_button, Qt.MouseButton.LeftButton)
        assert panel.message.text() == (
            f"{device} (SIM · bed INF 3 · no patient id) now records into session "
            f"{rec.session.session_id}: Jane Doe, patient id MRN-0042.")
        assert exchange("P2", {150456: 96, 147842: 70}).code == "AA"
        assert device_entries() == [{"hr": 70, "spo2": 96}]

        qtbot.mouseClick(panel.unbind_button, Qt.MouseButton.LeftButton)
        assert exchange("P3", {150456: 95}).code == "AA"
        assert device_entries() == [{"hr": 70, "spo2": 96}]
        pool.shutdown()
        station = panel.station
        window.shutdown()
        assert not station.listener._thread.is_alive()


@pytest.mark.hazard("H-138")
def test_device_panel_shows_no_data_for_a_bound_device_that_went_silent(qtbot, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from PySide6.QtCore import Qt

    from monitor.clock import ManualClock
    from monitor.devices.messages import pcd01_message
    from monitor.devices.sender import MllpSender
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, T0
    from ui.devices.capture_service import DeviceCapture
    from ui.devices.device_panel import COLUMNS, NO_DATA_AFTER_S, DevicePanel

    device = "0011223344556677"
    clock = ManualClock(T0)
    with Store(tmp_path / "silent.db") as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        clock.advance(120)
        capture = DeviceCapture(clock)   # the window's, here without a window
        capture.set_recorder(rec)
        panel = DevicePanel(capture)
        qtbot.addWidget(panel)
        panel.port.setValue(_free_port())
        qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)

        def send():
            with MllpSender("127.0.0.1", panel.port.value()) as sender:
                return sender.send(pcd01_message(device, "S1", clock.now(), {150456: 97}))

        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(send)
            qtbot.waitUntil(future.done, timeout=10000)
        assert future.result().code == "AA"
        panel.refresh()
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=panel.table.visualItemRect(panel.table.item(0, 0)).center())
        qtbot.mouseClick(panel.bind_button, Qt.MouseButton.LeftButton)
        column = COLUMNS.index("Session")
        assert panel.table.item(0, column).text() == rec.session.session_id
        clock.advance(NO_DATA_AFTER_S + 5)
        panel.refresh()
        assert panel.table.item(0, column).text() == (f"{rec.session.session_id} — no data for "
                                                      f"{NO_DATA_AFTER_S + 5} s")
        clock.advance(3600)   # long past "heard in the last minute": a bound one stays listed
        panel.refresh()
        assert panel.table.item(0, column).text() == (f"{rec.session.session_id} — no data for "
                                                      f"{NO_DATA_AFTER_S + 3605} s")
        panel.shutdown()
        capture.stop()


@pytest.mark.hazard("H-130")
def test_device_panel_names_monitor_bed_and_patient_and_warns_when_binding_another(
        qtbot, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from zoneinfo import ZoneInfo

    from PySide6.QtCore import Qt

    from monitor.clock import ManualClock
    from monitor.devices.messages import pcd01_message
    from monitor.devices.sender import MllpSender
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, T0
    from ui.devices.capture_service import DeviceCapture
    from ui.devices.device_panel import COLUMNS, DevicePanel

    device = "0011223344556677"
    clock = ManualClock(T0)
    with Store(tmp_path / "who.db") as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        clock.advance(120)
        capture = DeviceCapture(clock)   # the window's, here without a window
        capture.set_recorder(rec)
        panel = DevicePanel(capture)
        qtbot.addWidget(panel)
        panel.zone.setCurrentText("")
        qtbot.keyClicks(panel.zone, "Mars/Base")
        assert "'Mars/Base' is not an IANA zone name" in panel.zone_note.text()
        panel.zone.setCurrentText("")
        qtbot.keyClicks(panel.zone, "Europe/Berlin")
        assert panel.zone_note.text() == ""
        panel.port.setValue(_free_port())
        qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)
        assert panel.station.listener.clinic_tz == ZoneInfo("Europe/Berlin")

        def send():
            with MllpSender("127.0.0.1", panel.port.value()) as sender:
                return sender.send(pcd01_message(device, "S1", clock.now(), {150456: 97},
                                                 patient_id="HED12", bed="ICU^^7"))

        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(send)
            qtbot.waitUntil(future.done, timeout=10000)
        assert future.result().code == "AA"   # not bound yet: heard, nothing recorded
        panel.refresh()
        row = {c: panel.table.item(0, i).text() for i, c in enumerate(COLUMNS)}
        assert (row["Device"], row["Monitor"], row["Bed"], row["Patient (PID-3)"]) == (
            device, "SIM", "ICU 7", "HED12")
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=panel.table.visualItemRect(panel.table.item(0, 0)).center())
        assert "Monitor: SIM · bed ICU 7 · patient HED12." in panel.details.toPlainText()
        qtbot.mouseClick(panel.bind_button, Qt.MouseButton.LeftButton)
        assert panel.message.text() == (
            f"{device} (SIM · bed ICU 7 · patient HED12) now records into session "
            f"{rec.session.session_id}: Jane Doe, patient id MRN-0042. Warning: the monitor "
            "names patient HED12; its values are refused until the monitor's patient is "
            "this one.")
        panel.shutdown()
        capture.stop()
