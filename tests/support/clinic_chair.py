"""A chair process for the clinic tests and benchmarks.

``upload URL SPOOL``: open the clinic log (which uploads the spool) and exit.
``record URL SPOOL SESSION N INTERVAL``: open a new session and record N device
vitals sets, one every INTERVAL seconds of real time (a monitor's feed), printing
``committed SEQ UNIXTIME`` after each commit (the time it began)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from monitor.log.postgres.log import PgLog

    mode, url, spool = argv[0], argv[1], Path(argv[2])
    log = PgLog(url, spool=spool)
    if mode == "record":
        from monitor.clinical.protocols import load_protocols
        from monitor.clock import SystemClock
        from monitor.record.recorder import Recorder
        from tests.conftest import OPENING

        clock = SystemClock()
        rec = Recorder.open_new(log, clock, load_protocols(), dict(OPENING),
                                session_id=argv[3])
        count, interval = int(argv[4]), float(argv[5])
        pace = threading.Event()
        start = time.monotonic()
        for i in range(count):
            pace.wait(max(0.0, start + (i + 1) * interval - time.monotonic()))
            began = time.time()  # latency is counted from before the commit starts
            done = rec.record_device_vitals([({"hr": 60 + i % 40, "spo2": 97}, clock.now(),
                                              "monitor-1")])
            print(f"committed {done[0].seq} {began:.6f}", flush=True)
    print("done", flush=True)
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
