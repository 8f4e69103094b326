"""Devices in the window: the demo's simulated monitor over MLLP."""

from __future__ import annotations

from monitor.clock import SystemClock
from monitor.devices.demo_feed import DEMO_DEVICE
from monitor.protocols import load_protocols
from monitor.store import Store


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
