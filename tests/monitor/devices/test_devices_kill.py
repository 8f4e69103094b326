"""Kill and resend: ``listen`` is SIGKILLed again and again while a monitor streams
and resends every message it has no ACK for. Every acknowledged message is in
the record exactly once, and no message is in it twice (a message committed but
not acknowledged before a kill is resent, and found in the stored record).

KILL_RESEND_KILLS sets the number of kills (default 10)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import IO

import pytest

from monitor.clock import ManualClock
from monitor.devices.messages import pcd01_message
from monitor.devices.sender import MllpSender
from monitor.errors import MonitorError
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING
from tests.support.device_rig import DEVICE

HR, SPO2 = 147842, 150456
KILLS = int(os.environ.get("KILL_RESEND_KILLS", "10"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listen(db, port: int, sid: str) -> subprocess.Popen[str]:
    """Start ``listen``; return once it says it listens (its output is read on a thread,
    so nothing here blocks on the pipe)."""
    proc = subprocess.Popen([sys.executable, "-m", "ui.entry", "listen", "--db", str(db),
                             "--port", str(port), "--bind", f"{DEVICE}={sid}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read(out: IO[str]) -> None:
        for line in out:
            lines.put(line)
        lines.put("")

    assert proc.stdout is not None
    threading.Thread(target=read, args=(proc.stdout,), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            proc.kill()
            raise AssertionError("listen did not say it listens within 60 s") from None
        assert line, f"listen ended before it listened (exit status {proc.poll()})"
        if line.startswith("listening for HL7"):   # the monitor may connect first
            return proc


class Monitor:
    """Streams messages in order; a message without an ACK is sent again."""

    def __init__(self, port: int, base: datetime) -> None:
        self.port, self.base = port, base
        self.acknowledged: list[int] = []
        self.refused: list[str] = []   # any answer but AA (asserted by the test)
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def when(self, i: int) -> datetime:
        return self.base + timedelta(milliseconds=10 * i)

    def _run(self) -> None:
        i, sender = 0, None
        while not self.stop.is_set():
            try:
                if sender is None:
                    sender = MllpSender("127.0.0.1", self.port, timeout=5)
                self.sent += 1
                ack = sender.send(pcd01_message(DEVICE, f"K{i}", self.when(i),
                                                {HR: 60 + i % 40, SPO2: 90 + i % 10}))
            except (MonitorError, OSError):
                if sender is not None:
                    sender.close()
                sender = None
                time.sleep(0.02)
                continue   # the same message again
            if ack.code != "AA":
                self.refused.append(f"K{i}: {ack.code} {ack.text}")
            self.acknowledged.append(i)
            i += 1
        if sender is not None:
            sender.close()


@pytest.mark.hazard("H-133")
def test_sigkill_while_streaming_never_loses_or_duplicates_an_acknowledged_message(
        tmp_path, protocols):
    db = tmp_path / "kill.db"
    now = datetime.now(UTC)
    with Store(db) as store:
        sid = Recorder.open_new(store, ManualClock(now - timedelta(minutes=30)), protocols,
                                dict(OPENING)).session.session_id
    port = _free_port()
    monitor = Monitor(port, (now - timedelta(minutes=20)).replace(microsecond=0))
    proc = _listen(db, port, sid)
    monitor.thread.start()
    try:
        for kill in range(KILLS):
            time.sleep(0.3 + 0.1 * (kill % 4))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc = _listen(db, port, sid)
        deadline = time.monotonic() + 10
        done = len(monitor.acknowledged)
        while len(monitor.acknowledged) < done + 20 and time.monotonic() < deadline:
            time.sleep(0.05)   # the last listener answers a few more
    finally:
        monitor.stop.set()
        monitor.thread.join(20)
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    with Store(db, readonly=True) as store:
        times = Counter(e.observed_at for e in store.events(sid) if e.source == "device")
    acknowledged = monitor.acknowledged
    assert monitor.refused == []
    assert not monitor.thread.is_alive()
    assert len(acknowledged) > KILLS * 5, "the monitor hardly got through"
    assert [monitor.when(i) for i in acknowledged if times[monitor.when(i)] != 1] == []
    assert [t for t, n in times.items() if n > 1] == []
    assert monitor.sent > len(acknowledged)   # some were resent after a kill
