"""The session list and the opened session tell the same phase: both read it from the
one transition table (``monitor.model.session.phase_of``), the list from per-kind
counts in SQL, the session from its fold."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest

from monitor.model.events import EventKind
from monitor.model.session import Phase, fold
from monitor.record.recorder import Recorder
from monitor.record.sessions import session_rows
from tests.conftest import OPENING, PRESCRIBED, baseline_vitals, discharge_confirmed
from tests.monitor.clinical.test_discharge_act import READY

Step = Callable[[Recorder], object]


def _discharge(rec: Recorder) -> object:
    checklist = {**READY, "ready_to_leave_at": rec.clock.now(), **PRESCRIBED}
    return discharge_confirmed(rec, checklist)


IV: list[tuple[Step, Phase]] = [
    (lambda rec: None, Phase.BASELINE),
    (baseline_vitals, Phase.BASELINE),
    (lambda rec: rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h"), Phase.INFUSING),
    (lambda rec: rec.pause_infusion("RN7", "patient asked"), Phase.INFUSING),
    (lambda rec: rec.resume_infusion("RN7"), Phase.INFUSING),
    (lambda rec: rec.stop_infusion("RN7"), Phase.RECOVERY),
    (_discharge, Phase.DISCHARGED),
    (lambda rec: rec.close("RN7"), Phase.CLOSED),
]
SINGLE: list[tuple[Step, Phase]] = [
    (baseline_vitals, Phase.BASELINE),
    (lambda rec: rec.start_infusion("RN7", dose_mg="56", lot="L123"), Phase.RECOVERY),
    (_discharge, Phase.DISCHARGED),
    (lambda rec: rec.close("RN7"), Phase.CLOSED),
]


@pytest.mark.hazard("H-295")
@pytest.mark.parametrize(("protocol", "steps"), [("chronic-pain-iv", IV),
                                                 ("esketamine-nasal", SINGLE)])
def test_listing_and_session_agree_on_every_phase(store, clock, protocols, protocol, steps):
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": protocol})
    sid = rec.session.session_id
    seen = []
    for step, expected in steps:
        step(rec)
        clock.advance(60)
        (row,) = session_rows(store, protocols=protocols)
        folded = fold(sid, store.events(sid)).phase
        assert (row["phase"], rec.session.phase, folded) == (expected, expected, expected)
        seen.append(row["phase"])
    assert set(seen) == {expected for _step, expected in steps}


def _strike(kind: EventKind) -> Step:
    def strike(rec: Recorder) -> object:
        (entry,) = rec.session.entries_of(kind)
        return rec.strike("RN7", entry.seq, "recorded in the wrong session")
    return strike


STRUCK: list[tuple[Step, Phase]] = [
    (baseline_vitals, Phase.BASELINE),
    (lambda rec: rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h"), Phase.INFUSING),
    (_strike(EventKind.INFUSION_STARTED), Phase.BASELINE),   # it never started
    (lambda rec: rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h",
                                    confirmed=True), Phase.INFUSING),
    (lambda rec: rec.stop_infusion("RN7"), Phase.RECOVERY),
    (_strike(EventKind.INFUSION_STOPPED), Phase.INFUSING),   # it still runs
]


@pytest.mark.hazard("H-295")
def test_a_struck_start_or_stop_is_listed_as_the_session_shows_it(store, clock, protocols):
    test_listing_and_session_agree_on_every_phase(store, clock, protocols, "chronic-pain-iv",
                                                  STRUCK)


def test_open_only_leaves_out_closed_sessions_and_rems_waits_for_a_dose(
        store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols,
                            {**OPENING, "protocol": "esketamine-nasal"})
    (row,) = session_rows(store, protocols=protocols)
    assert row["rems_due"] == ""  # no dose yet: no form due
    for step, _phase in SINGLE:
        step(rec)
        clock.advance(60)
    assert session_rows(store, protocols=protocols, open_only=True) == []
    (row,) = session_rows(store, protocols=protocols)
    assert row["rems_due"] != ""


def test_phase_and_priority_are_stored_and_shown_as_their_words(recorder, store, db_path):
    """The enums change no byte of what is stored, hashed or listed."""
    baseline_vitals(recorder, sbp=200)  # a HIGH SBP alarm is raised and logged
    sid = recorder.session.session_id
    with closing(sqlite3.connect(db_path)) as conn:
        stored = [json.loads(text) for (text,) in conn.execute(
            "SELECT payload FROM events WHERE kind = 'alarm_raised'")]
    assert [p["priority"] for p in stored] == ["high"]
    assert store.verify() == (1, len(store.events(sid)))
    (row,) = session_rows(store)
    assert json.dumps(row) == json.dumps({**row, "phase": "baseline"})
    assert f"{row['phase']:<10}|" == "baseline  |"
