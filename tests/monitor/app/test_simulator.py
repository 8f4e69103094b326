"""The demo session: realistic, driven through the real core, reproducible."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.app.simulator import DemoScript, open_demo, play
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def run(db: Path, seed: int, minutes: float | None = None, device_rate: float = 0.0):
    clock = ManualClock(START)
    with Store(db) as store:
        rec = open_demo(store, clock)
        play(DemoScript(seed, minutes=minutes, device_rate=device_rate), rec, clock, START)
        return rec.session, store.verify()


def content(session):
    return [(e.kind, e.payload, e.author, e.source, (e.observed_at - START).total_seconds())
            for e in session.events if e.kind is not EventKind.SESSION_OPENED]


def test_same_seed_same_session_other_seed_differs(tmp_path: Path):
    a, _ = run(tmp_path / "a.db", 4)
    b, _ = run(tmp_path / "b.db", 4)
    c, _ = run(tmp_path / "c.db", 5)
    assert content(a) == content(b)
    assert content(a) != content(c)


def test_demo_is_a_realistic_whole_session(tmp_path: Path):
    s, (sessions, events) = run(tmp_path / "d.db", 7)
    assert (sessions, events) == (1, len(s.events))
    assert s.phase == "closed"
    sbp = s.series["sbp"]
    start = s.infusion_started_at.timestamp()
    peak_minute = (sbp.t[int(sbp.v.argmax())] - start) / 60
    assert 30 <= peak_minute <= 50, peak_minute          # BP peaks near 40 min
    spo2 = s.series["spo2"].v
    assert spo2.min() < 95 and (spo2 >= 95).mean() > 0.8  # mostly 95-99 with a dip
    dis = s.series["dissociation"]
    assert dis.v.max() >= 5 and dis.v[-1] <= 1            # rises, then fades
    assert s.series["moaas"].v.min() < 5                  # a sedation dip
    pain = s.series["pain"].v
    assert pain[-1] < pain[0]                             # pain falls
    kinds = [e.kind for e in s.events]
    assert kinds.count(EventKind.RATE_CHANGED) == 1
    labels = [e.payload.get("label") or e.payload.get("drug") for e in s.events
              if e.kind in (EventKind.QUICK_EVENT, EventKind.MEDICATION)]
    assert "Nausea" in labels and "ondansetron" in labels
    acked = [a for a in s.alarms.values() if a.action]
    assert acked, "at least one alarm acknowledged with an action"
    assert EventKind.DISCHARGED in kinds and EventKind.CLOSED in kinds


def test_device_rate_adds_device_samples(tmp_path: Path):
    s, _ = run(tmp_path / "e.db", 2, minutes=30, device_rate=0.5)
    device = [e for e in s.events if e.source == "device"]
    assert len(device) > 300 and set(device[0].payload) == {"hr", "spo2"}


def test_headless_command_prints_one_summary_line(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "ui.entry", "demo", "--headless", "--minutes",
                           "30", "--seed", "3", "--db", str(tmp_path / "h.db")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("session ") and "alarms raised" in lines[0]
    bad = subprocess.run([sys.executable, "-m", "ui.entry", "demo", "--headless", "--minutes",
                          "-5"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--minutes" in bad.stderr


# What each alarm of the seeded demo (seed 1) is, and why a nurse acts on it.
DEMO_ALARMS = [
    # minutes after opening (dosing starts at 10), key, priority, message start
    (40.0, "bp", "medium", "SBP up 20 mmHg in 10 min"),      # the ketamine BP surge, still rising
    (60.0, "sedation", "medium", "MOAA/S 4, down from baseline 5"),   # sedation (label definition)
    (80.0, "spo2", "medium", "SpO2 93 ≤ 93"),                # a desaturation: re-measure, O2?
]


def test_seeded_demo_alarms_per_hour_each_actionable(tmp_path: Path):
    s, _ = run(tmp_path / "alarms.db", 1)
    hours = (s.closed_at - START).total_seconds() / 3600
    raised = [((a.raised_at - START).total_seconds() / 60, a.key, a.raised_priority, a.message)
              for a in s.alarms.values()]
    assert [(m, k, p) for m, k, p, _ in raised] == [(m, k, p) for m, k, p, _ in DEMO_ALARMS]
    for (_, _, _, message), (_, _, _, start) in zip(raised, DEMO_ALARMS, strict=True):
        assert message.startswith(start)
    assert hours == 3.25 and round(len(raised) / hours, 2) == 0.92   # 3 alarms in 3 h 15 min
    # Every alarm was acted on (acknowledged with an action) and none is left at discharge;
    # none escalated, none is an overdue or combined alarm.
    assert all(a.action and a.resolved_at for a in s.alarms.values())
    assert all(a.priority == a.raised_priority for a in s.alarms.values())


def test_demo_alarm_rate_stays_low_over_seeds_and_with_a_monitor_stream(tmp_path: Path):
    for seed in (2, 3, 4, 5):
        s, _ = run(tmp_path / f"s{seed}.db", seed)
        assert len(s.alarms) <= 3, [a.message for a in s.alarms.values()]
    s, _ = run(tmp_path / "dev.db", 1, minutes=60, device_rate=1.0)  # 1 Hz HR and SpO2
    assert {a.key for a in s.alarms.values()} <= {"bp", "sedation", "spo2"}
    assert not [a for a in s.alarms.values() if a.rule in ("stale", "limit") and
                a.parameter == "hr"]
