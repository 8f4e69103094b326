"""Kill a writing process with SIGKILL at random moments, many times over.

20 kills by default (a few seconds: it runs with every ``pytest tests/monitor``);
200 when ``CI`` is set (``.ci/run`` runs ``make test`` under ``CI=true``);
``KETAMINE_MONITOR_KILLS=N`` asks for exactly N. Marked ``slow``: ``-m "not slow"``
leaves it out altogether.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.log.sqlite.store import Store
from monitor.model.session import fold
from tests.support.crash_writer import REFERENCE, SID

QUICK_KILLS, CI_KILLS = 20, 200


def kill_count(env: dict[str, str]) -> int:
    """How many kills this run makes (see the module's docstring)."""
    asked = env.get("KETAMINE_MONITOR_KILLS", "").strip()
    if asked:
        if not asked.isdigit() or int(asked) < 1:
            raise ValueError(f"KETAMINE_MONITOR_KILLS must be a whole number of kills >= 1, "
                             f"not {asked!r}")
        return int(asked)
    ci = env.get("CI", "").strip().lower()
    return CI_KILLS if ci not in ("", "0", "false", "no") else QUICK_KILLS


KILLS = kill_count(dict(os.environ))


def run_and_kill(db: Path, rng: random.Random) -> list[tuple[int, str, float]]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.crash_writer", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[3])
    acks: list[tuple[int, str, float]] = []
    # Wait for the first acknowledgement, then kill after a random number of further ones
    # plus a random sub-millisecond delay, so kills land anywhere in a commit.
    wanted = rng.randint(1, 40)
    assert proc.stdout is not None
    while len(acks) < wanted:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer died on its own: {proc.stderr.read()}")
        _, seq, phase, dose = line.split()
        acks.append((int(seq), phase, float(dose)))
    time.sleep(rng.random() * 0.003)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Lines the writer printed before dying were acknowledged too.
    for line in proc.stdout.read().splitlines():
        parts = line.split()
        if len(parts) == 4:
            acks.append((int(parts[1]), parts[2], float(parts[3])))
    proc.stdout.close()
    proc.stderr.close()
    return acks


def test_kill_count_is_short_here_and_full_in_ci():
    assert kill_count({}) == QUICK_KILLS
    assert kill_count({"CI": "true"}) == CI_KILLS
    assert kill_count({"CI": "false"}) == QUICK_KILLS
    assert kill_count({"CI": "true", "KETAMINE_MONITOR_KILLS": "7"}) == 7
    with pytest.raises(ValueError, match="KETAMINE_MONITOR_KILLS must be a whole number"):
        kill_count({"KETAMINE_MONITOR_KILLS": "many"})


@pytest.mark.slow
@pytest.mark.hazard("H-207")
def test_sigkill_never_loses_an_acknowledged_entry(tmp_path: Path):
    db = tmp_path / "crash.db"
    rng = random.Random(20261121)
    for _ in range(KILLS):
        acks = run_and_kill(db, rng)
        with Store(db) as store:  # reopening for writing also recovers the WAL
            events = store.events(SID)
            sessions, count = store.verify()
            assert sessions == 1 and count == len(events)
            last_seq, phase, dose = acks[-1]
            assert events[-1].seq >= last_seq, "an acknowledged entry was lost"
            upto = fold(SID, [e for e in events if e.seq <= last_seq])
            assert upto.phase == phase
            assert abs(upto.dose_mg(REFERENCE) - dose) < 1e-6
    assert len(events) > KILLS
