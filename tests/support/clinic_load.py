"""A clinic under load: N chair processes send 1 Hz device vitals for a while; a
headless board (the board's model and listener) follows them. Used by the test
(short) and by ``make bench`` (the full ten minutes)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_clinic(server: Any, database: str, *, chairs: int, seconds: int, rate_hz: float,
               work: Path) -> dict[str, Any]:
    from monitor.board.chairs import BoardModel
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.postgres.listen import Listener
    from monitor.log.postgres.log import PgLog
    from monitor.log.postgres.schema import BOARD, chair_role

    board_url = server.url(BOARD, database)
    model = BoardModel(PgLog(board_url, readonly=True), SystemClock(), load_protocols(),
                       chairs=chairs)
    arrived: dict[tuple[str, int], float] = {}
    linked = threading.Event()

    def on_wake() -> None:  # a notification: read what is new, note when it arrived
        held = {sid: len(s.events) for sid, s in model.sessions.items()}
        for chair in model.refresh():
            sid = model.current[chair]
            for seq in range(held.get(sid, 0) + 1, len(model.sessions[sid].events) + 1):
                arrived.setdefault((sid, seq), time.time())

    def on_link(up: bool) -> None:
        if up:
            model.resync()
            linked.set()

    listener = Listener(board_url, on_wake, on_link)
    listener.start()
    linked.wait(30)
    count = int(seconds * rate_hz)
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.support.clinic_chair", "record",
         server.url(chair_role(n), database), str(work / f"spool{n}.db"), f"load{n}",
         str(count), str(1 / rate_hz)],
        env=server.env(), stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for n in range(1, chairs + 1)]
    commits: dict[tuple[str, int], float] = {}
    try:
        for n, p in enumerate(procs, start=1):
            out, _ = p.communicate(timeout=seconds + 120)
            if p.returncode != 0 or "done" not in out:
                raise AssertionError(f"chair {n} failed: {out[-500:]}")
            for line in out.splitlines():
                if line.startswith("committed"):
                    _, seq, at = line.split()
                    commits[(f"load{n}", int(seq))] = float(at)
        deadline = time.monotonic() + 10
        done = threading.Event()
        while not all(k in arrived for k in commits) and time.monotonic() < deadline:
            done.wait(0.05)  # the listener thread is still delivering
    finally:
        for p in procs:
            p.kill()
        listener.stop()
    delays = sorted(arrived[k] - at for k, at in commits.items() if k in arrived)
    missing = [k for k in commits if k not in arrived]
    with PgLog(board_url, readonly=True) as log:
        stored = {f"load{n}": log.events(f"load{n}") for n in range(1, chairs + 1)}
    model.log.close()
    return {"commits": commits, "delays": delays, "missing": missing, "stored": stored,
            "samples_per_chair": count}
