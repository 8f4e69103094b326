"""A simulated bedside monitor for trying the device capture: it sends IHE
PCD-01 messages over MLLP to any listener (the window's device panel, or
``listen``), HR, SpO2 and RR every second and a cuff NIBP every few minutes,
with the patient id in PID-3 so the listener's patient check sees it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from monitor.devices.messages import CODE_OF, pcd01_message
from monitor.devices.sender import MllpSender

SIM_DEVICE = "00DE0000000000B1"   # the simulated monitor's EUI-64
NIBP_EVERY_S = 300.0


class SimulatedMonitor:
    """Plausible, slowly drifting vitals from a seed; one message per ``next_message``."""

    def __init__(self, *, device_id: str = SIM_DEVICE, patient_id: str = "", seed: int = 1,
                 nibp_every: float = NIBP_EVERY_S) -> None:
        self.device_id = device_id
        self.patient_id = patient_id
        self.nibp_every = nibp_every
        self._rng = random.Random(seed)
        self._values = {"hr": 78.0, "spo2": 98.0, "rr": 14.0}
        self._count = 0
        self._cuff: tuple[datetime, dict[str, float]] | None = None

    def next_message(self, now: datetime) -> str:
        self._count += 1
        rng, v = self._rng, self._values
        v["hr"] = min(130.0, max(50.0, v["hr"] + rng.uniform(-1.5, 1.5)))
        v["spo2"] = min(100.0, max(90.0, v["spo2"] + rng.uniform(-0.4, 0.4)))
        v["rr"] = min(24.0, max(8.0, v["rr"] + rng.uniform(-0.5, 0.5)))
        if self._cuff is None or (now - self._cuff[0]).total_seconds() >= self.nibp_every:
            sbp = round(rng.uniform(115, 150))
            dbp = round(sbp * rng.uniform(0.55, 0.65))
            self._cuff = (now, {"sbp": sbp, "dbp": dbp})
        cuff_at, cuff = self._cuff
        rows: dict[int, float] = {CODE_OF[p]: float(round(x)) for p, x in v.items()}
        rows.update({CODE_OF[p]: x for p, x in cuff.items()})
        # The monitor repeats the last cuff reading, at its cuff time, in every message.
        times = {CODE_OF[p]: cuff_at for p in cuff}
        return pcd01_message(self.device_id, f"SIM{self._count}", now, rows, row_times=times,
                             patient_id=self.patient_id, bed="INF^^SIM")


def run_simulator(host: str, port: int, *, monitor: SimulatedMonitor, rate: float,
                  count: int | None, say: Callable[[str], None]) -> int:
    """Send ``count`` messages (None: until interrupted) at ``rate`` per second;
    exit status 1 unless every ACK is AA."""
    sent = accepted = 0
    with MllpSender(host, port) as sender:
        try:
            while count is None or sent < count:
                ack = sender.send(monitor.next_message(datetime.now(UTC)))
                sent += 1
                accepted += ack.code == "AA"
                if ack.code != "AA" or sent == 1:
                    say(f"{ack.control_id}: {ack.code}" + (f" {ack.text}" if ack.text else ""))
                if count is None or sent < count:
                    time.sleep(1.0 / rate)
        except KeyboardInterrupt:
            pass
    say(f"sent {sent} messages to {host}:{port} as device {monitor.device_id}: "
        f"{accepted} AA")
    return 0 if accepted == sent else 1
