"""HL7 (MLLP) capture benchmarks: sustained ingest over one connection with every
message ACKed and committed, and the listener's memory after a million messages.
The monitor runs in its own process; the listener and the recorder's owner run
here, as in ``ketamine-monitor listen``."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figures import figure, ratio_figure

DEVICE = "0BE7C40000000001"


def _rss_kib() -> tuple[int, int]:
    status = Path("/proc/self/status").read_text()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def _monitor(port: int, count: int, first: datetime, mode: str,
             offset: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bench.hl7_monitor", str(port), str(count),
                             first.isoformat(), DEVICE, mode, str(offset)],
                            stdout=subprocess.PIPE, text=True)


def _serve(station: Any, proc: subprocess.Popen[str]) -> dict[str, Any]:
    """Own the recorder on this thread until the monitor process is done."""
    out: dict[str, Any] = {}

    def wait() -> None:
        out.update(json.loads(proc.communicate()[0]))
        station.inbox.wake()

    waiter = threading.Thread(target=wait)
    waiter.start()
    while waiter.is_alive():
        station.pump(0.5)
    waiter.join()
    return out


def ingest(count: int = 5000, block: int = 250) -> list[dict[str, Any]]:
    from bench.core import store_commit
    from monitor.app.simulator import DEMO_OPENING
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import ManualClock, SystemClock
    from monitor.devices.station import Station
    from monitor.log.sqlite.store import Store
    from monitor.model.events import EventKind
    from monitor.record.recorder import Recorder

    now = datetime.now(UTC)
    first = now - timedelta(milliseconds=250 * count + 60_000)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ingest.db") as store:
        protocols = load_protocols()
        sid = Recorder.open_new(store, ManualClock(first - timedelta(minutes=5)), protocols,
                                dict(DEMO_OPENING)).session.session_id
        station = Station(SystemClock(), port=0)
        port = station.start()
        station.capture.bind(DEVICE, Recorder(store, sid, SystemClock(), protocols))
        # Block by block, each followed by single-entry commits on this disk (the floor of
        # every message), A B A B: each block's ratio sees the load its block saw.
        lat: list[float] = []
        per_msg: list[float] = []
        floor: list[float] = []
        codes: dict[str, int] = {}
        seconds = 0.0
        try:
            for offset in range(0, count - block + 1, block):
                got = _serve(station, _monitor(port, block, first, "wait", offset))
                lat += got["latencies_ms"]
                per_msg.append(sum(got["latencies_ms"]) / block)
                floor.append(store_commit(40)["median"])
                seconds += got["seconds"]
                for code, n in got["codes"].items():
                    codes[code] = codes.get(code, 0) + n
        finally:
            station.stop()
        stored = sum(1 for e in store.events(sid)
                     if e.kind is EventKind.VITALS and e.source == "device")
    count = len(lat)
    assert codes == {"AA": count} and stored == count, (codes, stored)
    rate = count / seconds
    note = (f"{count} messages, each ACKed AA and committed before the next is sent: "
            f"{rate:.0f} msg/s overall; budget ≤ 2 ms is ≥ 500 msg/s in every block "
            f"of {block}")
    return [figure("HL7 ingest over one connection: ms per message, per block", per_msg, "ms",
                   {"median": 2.0, "p99": 2.0}, note),
            figure("HL7 ACK latency (send to ACK, committed)", lat, "ms", {"p99": 10.0},
                   f"median {sorted(lat)[len(lat) // 2]:.2f} ms over {count} messages"),
            ratio_figure("HL7 ingest ratio: ms per message ÷ one single-entry commit "
                         "(interleaved blocks)", per_msg, floor, 3.0,
                         f"single-entry commit {statistics.median(floor):.2f} ms median in "
                         "this run: each message is one commit (fsync) plus parsing, rules "
                         "and the ACK")]


def late_samples(count: int = 2000) -> dict[str, Any]:
    """A monitor sends a backlog into a 24 h session (1 Hz device HR and SpO2, vitals
    every minute): every sample older than the session's newest. Each is folded in
    place, not by a rebuild of the session."""
    import shutil

    from bench.sessions import START, day_session
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.sqlite.store import Store
    from monitor.record.recorder import Recorder

    db, sid, _end = day_session()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "late.db"
        shutil.copy(db, copy)
        with Store(copy) as store:
            rec = Recorder(store, sid, SystemClock(), load_protocols())
            series_before = rec.session.series["hr"]
            station = _station_for(rec)
            try:
                # 250 ms apart from 2 h into the session: between its own 1 Hz samples.
                first = START + timedelta(hours=2, milliseconds=125)
                got = _serve(station, _monitor(station.listener.port, count, first, "wait"))
            finally:
                station.stop()
            in_place = rec.session.series["hr"] is series_before   # a rebuild makes new ones
    lat = got["latencies_ms"]
    assert got["codes"] == {"AA": count}, got["codes"]
    return figure("HL7 late samples into a 24 h session: ACK latency (committed)", lat, "ms",
                  {"p99": 100.0},
                  f"{count} messages each older than the session's newest sample, each "
                  "ACKed before the next; "
                  + ("folded in place, no full rebuild" if in_place
                     else "the session was rebuilt"))


def _station_for(rec: Any) -> Any:
    from monitor.clock import SystemClock
    from monitor.devices.station import Station

    station = Station(SystemClock(), port=0)
    station.start()
    station.capture.bind(DEVICE, rec)
    return station


def memory_device_ids_alone() -> dict[str, Any]:
    """``memory_device_ids`` in a fresh process (the RSS is the listener's own)."""
    code = ("import json; from bench.hl7_capture import memory_device_ids; "
            "print(json.dumps(memory_device_ids()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.splitlines()[-1])


def memory_device_ids(count: int = 1000) -> dict[str, Any]:
    """1,000 distinct device ids heard (none bound): what the diagnostics keep."""
    from monitor.clock import SystemClock
    from monitor.devices.station import Station

    station = Station(SystemClock(), port=0)
    port = station.start()
    before = _rss_kib()[0]
    try:
        got = _serve(station, _monitor(port, count, datetime.now(UTC) - timedelta(hours=1),
                                       "ids"))
        assert got["codes"] == {"AA": count}, got["codes"]
        after = _rss_kib()[0]
        kept = len(station.diagnostics.snapshot().devices)
    finally:
        station.stop()
    grown = (after - before) / 1024
    return figure("HL7 listener memory growth with 1,000 distinct device ids (RSS)", [grown],
                  "MiB", {"median": 50.0},
                  f"RSS {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after; "
                  f"{kept} devices in the diagnostics ({kept and grown * 1024 / kept:.0f} KiB "
                  "each at most); devices unheard for an hour are forgotten")


def memory_million_alone() -> dict[str, Any]:
    """``memory_million`` in a fresh process, so the RSS is the listener's own and not
    what earlier benchmarks left in this one (the 24 h session, the window)."""
    code = ("import json; from bench.hl7_capture import memory_million; "
            "print(json.dumps(memory_million()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.splitlines()[-1])


def memory_million(count: int = 1_000_000, step: int = 100_000) -> dict[str, Any]:
    """A monitor that is heard but not bound (nothing recorded): the listener's own
    footprint, sampled every ``step`` messages."""
    from monitor.clock import SystemClock
    from monitor.devices.station import Station

    station = Station(SystemClock(), port=0)
    port = station.start()
    first = datetime.now(UTC) - timedelta(days=2)
    samples: list[float] = []
    start_rss = _rss_kib()[0]
    try:
        for done in range(0, count, step):
            got = _serve(station, _monitor(port, step, first + timedelta(seconds=done / 4),
                                           "pipelined"))
            assert got["codes"] == {"AA": step}, got["codes"]
            samples.append(_rss_kib()[0] / 1024)
    finally:
        station.stop()
    hwm = _rss_kib()[1]
    status = station.diagnostics.device(DEVICE)
    assert status is not None and status.messages == count
    return figure("HL7 listener memory after 1,000,000 messages (RSS)", [samples[-1]], "MiB",
                  {"median": 250.0},
                  f"RSS {start_rss / 1024:.0f} MiB before, "
                  + ", ".join(f"{v:.0f}" for v in samples)
                  + f" MiB after each {step:,} messages; VmHWM {hwm / 1024:.0f} MiB; "
                  f"pid {os.getpid()}")


def clinic(chairs: int = 8, seconds: int = 40, entries: int = 60) -> list[dict[str, Any]]:
    """``chairs`` monitors at 1 Hz into as many sessions that already hold 4 h of 1 Hz
    data; the window, showing one of them, records entries meanwhile. Every device
    is bound through the window's device panel: the GUI thread owns all recorders."""
    import shutil
    import socket
    import time

    from PySide6.QtCore import QEvent, QEventLoop, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from bench.sessions import clinic_sessions
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.sqlite.store import Store
    from monitor.record.recorder import Recorder
    from ui.main_window import MainWindow

    db, sids = clinic_sessions(chairs)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "clinic.db"
        shutil.copy(db, copy)
        store = Store(copy)
        clock, protocols = SystemClock(), load_protocols()
        recorders = [Recorder(store, sid, clock, protocols) for sid in sids]
        window = MainWindow(store, clock, protocols)
        window.resize(1400, 900)
        page = window.open_session(recorders[0])
        window.show()
        window.show_devices()
        panel = window.device_panel
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            panel.port.setValue(s.getsockname()[1])
        panel.start_listening()
        devices = [f"0BE7C400000000{i:02X}" for i in range(chairs)]
        for device, rec in zip(devices, recorders, strict=True):
            panel.station.capture.bind(device, rec)
        now = datetime.now(UTC)
        procs = [subprocess.Popen([sys.executable, "-m", "bench.hl7_monitor",
                                   str(panel.port.value()), str(seconds), now.isoformat(),
                                   device, "paced"], stdout=subprocess.PIPE, text=True)
                 for device in devices]
        v = page.vitals
        values: list[float] = []
        gap = seconds / (entries + 2)
        for i in range(entries):
            until = time.perf_counter() + gap
            while time.perf_counter() < until:   # the event loop drains the devices' inbox
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            v.edits["sbp"].setText(f"{128 + i % 20}/{80 + i % 7}")
            v.edits["rr"].setText("15")
            n = len(page.recorder.session.events)
            press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return,
                              Qt.KeyboardModifier.NoModifier)
            t = time.perf_counter()
            QApplication.sendEvent(v.edits["rr"], press)
            window.repaint()
            values.append((time.perf_counter() - t) * 1000)
            assert len(page.recorder.session.events) > n, "entry was not recorded"
        lat: list[float] = []
        for proc in procs:
            while proc.poll() is None:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            got = json.loads(proc.communicate()[0])
            assert got["codes"] == {"AA": seconds}, got["codes"]
            lat += got["latencies_ms"]
        recorded = [panel.station.diagnostics.device(d).recorded for d in devices]
        window.shutdown()
        window.close()
        store.close()
    assert recorded == [2 * seconds] * chairs, recorded
    name = (f"{chairs} monitors at 1 Hz into {chairs} sessions holding 4 h of 1 Hz data, "
            f"{seconds} s")
    return [figure(f"{name}: entry latency in the window showing one of them", values, "ms",
                   {"median": 16, "p95": 33}),
            figure(f"{name}: the monitors' ACK latency (committed)", lat, "ms", {"p99": 100.0},
                   "well inside the 1 s between two samples of a monitor")]
