"""A closed, signed record takes notes (as addenda) and nothing else, whichever way an
entry arrives: typed, a quick key, a correction, a limit, a device sample."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.app.simulator import DemoScript, open_demo, play
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.errors import SessionStateError
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def signed(tmp_path: Path):
    clock = ManualClock(START)
    with Store(tmp_path / "s.db") as store:
        rec = open_demo(store, clock)
        play(DemoScript(7), rec, clock, START)
        assert rec.session.phase == "closed"
        yield store, rec, clock


@pytest.mark.hazard("H-220")
def test_only_notes_after_signing(signed):
    store, rec, clock = signed
    clock.advance(60)
    vitals = next(e for e in rec.session.entry_list if e.kind.value == "vitals_recorded")
    attempts = {
        "vitals": lambda: rec.record_vitals({"sbp": "120/80", "hr": "70"}, "RN7"),
        "assessment": lambda: rec.record_assessment({"moaas": 5}, "RN7"),
        "quick event": lambda: rec.quick_event("RN7", "nausea"),
        "medication": lambda: rec.give_medication("RN7", "ondansetron", "4", "mg", "IV"),
        "amend": lambda: rec.amend("RN7", vitals.seq, {"hr": "71"}, "typo"),
        "strike": lambda: rec.strike("RN7", vitals.seq, "wrong patient"),
        "artifact": lambda: rec.flag_artifact("RN7", vitals.seq, "probe off"),
        "limit": lambda: rec.change_limit("RN7", "sbp.high_high", "190", "physician"),
        "sound": lambda: rec.change_sound_mode("RN7", "quiet", "night"),
        "device": lambda: rec.record_device_vitals(
            [({"hr": 70, "spo2": 97}, clock.now(), "MONITOR-1")]),
    }
    before = len(store.events(rec.session.session_id))
    for name, attempt in attempts.items():
        with pytest.raises(SessionStateError, match="only a note can be added now") as exc:
            attempt()
        assert "closed and signed by" in str(exc.value), name
    assert len(store.events(rec.session.session_id)) == before
    note = rec.add_note("RN7", "Patient phoned: home safely.")
    assert rec.session.entries[note.seq].addendum
    assert len(store.events(rec.session.session_id)) == before + 1
    # Reopened, the record is as signed, and still takes only notes.
    again = Recorder(store, rec.session.session_id, clock, load_protocols())
    with pytest.raises(SessionStateError):
        again.record_vitals({"hr": "70"}, "RN7", observed_at=clock.now() - timedelta(minutes=5))
