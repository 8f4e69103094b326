"""A chair process for the clinic tests: ``upload URL SPOOL`` opens the clinic log
(which uploads the spool) and exits; ``record URL SPOOL SESSION N`` records N
device vitals sets at 1 s intervals into a new session."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    from monitor.pglog import PgLog

    mode, url, spool = argv[0], argv[1], Path(argv[2])
    log = PgLog(url, spool=spool)
    if mode == "record":
        from monitor.clock import ManualClock
        from monitor.protocols import load_protocols
        from monitor.recorder import Recorder
        from tests.conftest import OPENING

        clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        rec = Recorder.open_new(log, clock, load_protocols(), dict(OPENING),
                                session_id=argv[3])
        print("opened", flush=True)
        for i in range(int(argv[4])):
            clock.advance(1)
            rec.record_device_vitals([({"hr": 60 + i % 40, "spo2": 97}, clock.now(),
                                       "monitor-1")])
    print("done", flush=True)
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
