"""Clinic mode on a real PostgreSQL server (started like the tests start it):
commit latency against SQLite in the same run, commit-to-board latency with eight
chairs at 1 Hz, and the spool's catch-up after an hour offline."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figures import figure, timed

# The full ten minutes of eight chairs at 1 Hz; set lower for a quick look.
CLINIC_SECONDS = int(os.environ.get("BENCH_CLINIC_SECONDS", "600"))


def _server() -> Any:
    from monitor.log.postgres.setup import init_clinic
    from tests.support.pg_server import PgServer
    server = PgServer()
    os.environ["PGPASSFILE"] = str(server.pgpass)
    handout = server.top / "handout"
    init_clinic(server.url(), 8, handout)
    for line in handout.read_text().splitlines():
        server.add_password(line.split(":")[3], line.split(":", 4)[4])
    return server


def run() -> list[dict[str, Any]]:
    server = _server()
    try:
        return [*commit_latency(server), spool_catch_up(server), board_latency(server)]
    finally:
        server.close()


def commit_latency(server: Any, runs: int = 500) -> list[dict[str, Any]]:
    from bench.core import store_commit
    from monitor.log.postgres.log import PgLog
    from monitor.model.events import EventKind
    now = datetime(2026, 3, 2, tzinfo=UTC)
    payload = {"sbp": 128, "dbp": 82, "map": 97.3, "hr": 72, "spo2": 98, "rr": 14,
               "o2": "air", "map_measured": False}
    fsync = server.admin_sql("SHOW fsync")
    with tempfile.TemporaryDirectory() as tmp, \
            PgLog(server.url("km_chair_1"), spool=Path(tmp) / "s.db") as log:
        values = timed(lambda: log.append("c1", EventKind.VITALS, payload, author="RN",
                                          observed_at=now, recorded_at=now), runs)
    sqlite = store_commit(runs)
    sqlite["name"] = "clinic: the same single-entry commit on SQLite, same run"
    return [figure(f"clinic: single-entry commit on PostgreSQL (fsync {fsync}, synchronous "
                   "commit, chain trigger)", values, "ms", {},
                   "median and p99 reported; no budget set"), sqlite]


def spool_catch_up(server: Any) -> dict[str, Any]:
    """One hour of 1 Hz device samples recorded while the server was away, then the
    time from reopening to every event being on the server (checked there)."""
    from monitor.log.postgres.log import PgLog
    from monitor.model.events import EventKind
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        spool = Path(tmp) / "s.db"
        log = PgLog(server.url("km_chair_2"), spool=spool)
        log.append("hour", EventKind.NOTE, {"text": "opened"}, author="RN",
                   observed_at=t0, recorded_at=t0)
        server.stop()
        try:
            for i in range(3600):  # one commit per sample, as a 1 Hz feed does
                at = t0 + timedelta(seconds=i + 1)
                log.append("hour", EventKind.VITALS, {"hr": 60 + i % 30, "spo2": 97},
                           author="monitor-1", observed_at=at, recorded_at=at,
                           source="device")
            assert log.offline
        finally:
            log.close()
            server.start()
        started = time.perf_counter()
        with PgLog(server.url("km_chair_2"), spool=spool) as again:
            seconds = time.perf_counter() - started
            got = len(again.events("hour"))
            assert got == 3601, got
    return figure("clinic: spool catch-up, 1 h of 1 Hz samples (3,601 events) uploaded",
                  [seconds], "s", {"median": 60.0}, "one upload; the server checks the chain")


def board_latency(server: Any) -> dict[str, Any]:
    from tests.support.clinic_load import run_clinic
    server.admin_sql("CREATE DATABASE clinic_load")
    from monitor.log.postgres.setup import init_clinic
    init_clinic(server.url(database="clinic_load"), 8, None)
    with tempfile.TemporaryDirectory() as tmp:
        result = run_clinic(server, "clinic_load", chairs=8, seconds=CLINIC_SECONDS,
                            rate_hz=1.0, work=Path(tmp))
    if result["missing"]:
        raise AssertionError(f"{len(result['missing'])} commits never reached the board")
    delays = [d * 1000 for d in result["delays"]]
    return figure(f"clinic: commit to board, 8 chairs at 1 Hz for {CLINIC_SECONDS} s",
                  delays, "ms", {"p95": 1000.0},
                  f"{len(delays)} commits; aim p95 ≤ 200 ms")
