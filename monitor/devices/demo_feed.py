"""The demo's simulated bedside monitor over real MLLP: each device sample of
the demo script becomes a PCD-01 message sent to a listener on 127.0.0.1 and
recorded through the same station, inbox and capture as a real monitor's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

from monitor.clock import Clock
from monitor.devices.messages import CODE_OF, pcd01_message
from monitor.devices.sender import Ack, MllpSender
from monitor.devices.station import Station
from monitor.errors import MonitorError
from monitor.record.recorder import Recorder

DEMO_DEVICE = "00DE0000000000AA"   # the simulated monitor's EUI-64


class Hl7Feed:
    """Sends on a worker thread; the caller's thread (the recorder's owner) records."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.station = Station(clock, port=0, clinic_tz=UTC)
        self.port = self.station.start()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="demo-monitor")
        self._sender = MllpSender("127.0.0.1", self.port)
        self._count = 0

    def send(self, recorder: Recorder, values: dict[str, float]) -> Ack:
        if DEMO_DEVICE not in self.station.capture.bindings:
            self.station.capture.bind(DEMO_DEVICE, recorder)
        self._count += 1
        message = pcd01_message(DEMO_DEVICE, f"DEMO{self._count}", self.clock.now(),
                                {CODE_OF[p]: v for p, v in values.items()})
        future = self._pool.submit(self._sender.send, message)
        future.add_done_callback(lambda _f: self.station.inbox.wake())
        while not future.done():
            self.station.pump(0.05)
        ack = future.result()
        if ack.code != "AA":
            raise MonitorError(f"simulated monitor message {ack.control_id}: {ack.code} "
                               f"{ack.text}")
        return ack

    def close(self) -> None:
        self._sender.close()
        self._pool.shutdown()
        self.station.stop()
