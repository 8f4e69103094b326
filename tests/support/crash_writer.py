"""Child process for the kill test: records a deterministic stream into one
session and prints "ACK seq phase dose" after each entry is committed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REFERENCE = T0 + timedelta(days=30)
SID = "crashtest0001"


def step(rec: Recorder, n: int) -> None:
    s = rec.session
    if s.phase == "baseline":
        if n < 3:
            rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN1")
        else:
            # Durability, not clinical flow: the pre-dose prompts are confirmed.
            rec.start_infusion("RN1", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
        return
    k = n % 11
    if k == 3:
        rec.change_rate("RN1", f"{0.2 + (n % 5) * 0.05:.2f}", "mg/kg/h", confirmed=True)
    elif k == 5 and not s.paused:
        rec.pause_infusion("RN1", "nausea")
    elif k == 6 and s.paused:
        rec.resume_infusion("RN1")
    elif k == 8:
        rec.give_bolus("RN1", "2.5", confirmed=True)  # past the plan after a while
    else:
        rec.record_vitals({"sbp": str(120 + n % 40), "dbp": "80", "hr": str(60 + n % 30),
                           "spo2": "97", "rr": "14"}, "RN1")


def main(db: str) -> None:
    protocols = load_protocols()
    store = Store(Path(db))
    clock = ManualClock(T0)
    if SID in store.session_ids():
        rec = Recorder(store, SID, clock, protocols)
    else:
        rec = Recorder.open_new(store, clock, protocols, {
            "patient_id": "CRASH", "weight_kg": "80", "indication": "CRPS",
            "protocol": "chronic-pain-iv", "nurse_id": "RN1"}, session_id=SID)
    out = sys.stdout
    while True:
        n = len(rec.session.events)
        clock.set(T0 + timedelta(seconds=30 * n))
        step(rec, n)
        last = rec.session.events[-1].seq
        out.write(f"ACK {last} {rec.session.phase} {rec.session.dose_mg(REFERENCE):.9f}\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
