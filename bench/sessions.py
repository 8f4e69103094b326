"""Sessions the benchmarks run on, built through the real recorder and cached
in bench/cache/ (delete the folder to rebuild)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.app.simulator import CHECKLIST, DemoScript, open_demo, play
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store

WORK = Path(__file__).parent / "cache"
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def cached(db: Path, build: Callable[[Store], None]) -> None:
    """Build ``db`` once, in a side file moved into place only when the build is
    complete: a build that fails (or is killed) leaves no half-built cache behind."""
    if db.exists():
        return
    WORK.mkdir(parents=True, exist_ok=True)
    part = db.with_name(db.name + ".part")
    for leftover in WORK.glob(part.name + "*"):
        leftover.unlink()
    with Store(part) as store:
        build(store)
    conn = sqlite3.connect(part)
    try:  # everything in the main file before it moves
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    os.replace(part, db)
    for leftover in WORK.glob(part.name + "*"):
        leftover.unlink()


def four_hour_session() -> tuple[Path, str]:
    """The demo session stretched to 4 h (manual entries only), left open."""
    db = WORK / "four_hour.db"

    def build(store: Store) -> None:
        clock = ManualClock(START)
        rec = open_demo(store, clock)
        script = DemoScript(11, minutes=240)
        play(script, rec, clock, START, until_s=script.stop_at_s - 300)  # not discharged

    cached(db, build)
    with Store(db, readonly=True) as store:
        return db, store.session_ids()[0]


def day_session() -> tuple[Path, str, datetime]:
    """24 h: vitals every minute, 1 Hz device HR and SpO2, assessments every 15 min."""
    db = WORK / "day.db"
    end = START + timedelta(hours=24)

    def build(store: Store) -> None:
        clock = ManualClock(START)
        script = DemoScript(13, minutes=1440)
        rec = open_demo(store, clock, load_protocols())
        rec.record_vitals(script.vitals(-5), "RN-BENCH")
        rec.record_assessment(script.assessment(-5), "RN-BENCH")
        rec.record_checklist("RN-BENCH", CHECKLIST)
        clock.advance(60)
        rec.start_infusion("RN-BENCH", rate="0.2", rate_unit="mg/kg/h")
        t0 = clock.now()
        for second in range(1, 24 * 3600 - 120):
            clock.set(t0 + timedelta(seconds=second))
            minute = second / 60.0
            rec.record_vitals({"hr": str(70 + (second // 7) % 9), "spo2": str(96 + second % 3)},
                              "RN-BENCH", source="device")
            if second % 60 == 0:
                rec.record_vitals(script.vitals(minute % 200), "RN-BENCH")
            if second % 900 == 0:
                rec.record_assessment(script.assessment(minute % 200), "RN-BENCH")
                rec.tick()
                for alarm in rec.session.active_alarms():
                    if not alarm.acknowledged:
                        rec.acknowledge("RN-BENCH", alarm.alarm_id, "re-measured")

    cached(db, build)
    with Store(db, readonly=True) as store:
        return db, store.session_ids()[0], end


def clinic_sessions(chairs: int = 8, hours: int = 4) -> tuple[Path, list[str]]:
    """``chairs`` sessions infusing for ``hours`` with 1 Hz device HR and SpO2 (recorded
    in batches through the recorder), ending at the time of the build."""
    db = WORK / f"clinic_{chairs}x{hours}h.db"

    def build(store: Store) -> None:
        end = datetime.now(UTC).replace(microsecond=0)
        begin = end - timedelta(hours=hours)
        for chair in range(chairs):
            clock = ManualClock(begin - timedelta(minutes=2))
            rec = open_demo(store, clock, load_protocols())
            script = DemoScript(20 + chair)
            rec.record_vitals(script.vitals(-1), "RN-BENCH")
            rec.record_assessment(script.assessment(-1), "RN-BENCH")
            rec.record_checklist("RN-BENCH", CHECKLIST)
            clock.set(begin - timedelta(seconds=1))
            rec.start_infusion("RN-BENCH", rate="0.2", rate_unit="mg/kg/h")
            clock.set(end)
            for first in range(0, hours * 3600, 600):
                rec.record_device_vitals([
                    ({"hr": 65 + chair + (s // 7) % 9, "spo2": 95 + s % 4},
                     begin + timedelta(seconds=s), f"CHAIR{chair}")
                    for s in range(first, min(first + 600, hours * 3600))])

    cached(db, build)
    with Store(db, readonly=True) as store:
        return db, store.session_ids()
