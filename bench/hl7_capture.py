"""HL7 (MLLP) capture benchmarks: sustained ingest over one connection with every
message ACKed and committed, and the listener's memory after a million messages.
The monitor runs in its own process; the listener and the recorder's owner run
here, as in ``ketamine-monitor listen``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEVICE = "0BE7C40000000001"


def _rss_kib() -> tuple[int, int]:
    status = Path("/proc/self/status").read_text()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def _monitor(port: int, count: int, first: datetime, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bench.hl7_monitor", str(port), str(count),
                             first.isoformat(), DEVICE, mode], stdout=subprocess.PIPE,
                            text=True)


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
    from bench.run import figure
    from monitor.clock import ManualClock, SystemClock
    from monitor.devices.station import Station
    from monitor.events import EventKind
    from monitor.protocols import load_protocols
    from monitor.recorder import Recorder
    from monitor.simulator import DEMO_OPENING
    from monitor.store import Store

    now = datetime.now(UTC)
    first = now - timedelta(milliseconds=250 * count + 60_000)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ingest.db") as store:
        protocols = load_protocols()
        sid = Recorder.open_new(store, ManualClock(first - timedelta(minutes=5)), protocols,
                                dict(DEMO_OPENING)).session.session_id
        station = Station(SystemClock(), port=0)
        port = station.start()
        station.capture.bind(DEVICE, Recorder(store, sid, SystemClock(), protocols))
        try:
            got = _serve(station, _monitor(port, count, first, "wait"))
        finally:
            station.stop()
        stored = sum(1 for e in store.events(sid)
                     if e.kind is EventKind.VITALS and e.source == "device")
    lat = got["latencies_ms"]
    assert got["codes"] == {"AA": count} and stored == count, (got["codes"], stored)
    per_msg = [sum(lat[i:i + block]) / block for i in range(0, count - block + 1, block)]
    rate = count / got["seconds"]
    note = (f"{count} messages, each ACKed AA and committed before the next is sent: "
            f"{rate:.0f} msg/s overall; budget ≤ 2 ms is ≥ 500 msg/s in every block "
            f"of {block}")
    return [figure("HL7 ingest over one connection: ms per message, per block", per_msg, "ms",
                   {"median": 2.0, "p99": 2.0}, note),
            figure("HL7 ACK latency (send to ACK, committed)", lat, "ms", {"p99": 10.0},
                   f"median {sorted(lat)[len(lat) // 2]:.2f} ms over {count} messages")]


def memory_million(count: int = 1_000_000, step: int = 100_000) -> dict[str, Any]:
    """A monitor that is heard but not bound (nothing recorded): the listener's own
    footprint, sampled every ``step`` messages."""
    from bench.run import figure
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
