"""Property: no sequence of entries and amendments that the recorder accepts produces a
session that cannot be reopened, folded, verified, exported in every format, or
imported into another database."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from monitor.clinical.entries import FIELDS
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.errors import ConfirmationNeeded, SessionStateError, ValidationError
from monitor.export import FORMATS, render
from monitor.export.json_io import import_file
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0

PROTOCOLS = load_protocols()
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-1000, 100_000),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                      st.sampled_from(["mg", "single", "infusion", "made-up", "mg/h", "air",
                                       "depression-iv", "120/80", "72", "0.35", "A"]))


def vitals(d: st.DataObject) -> dict[str, str]:
    sbp = d.draw(st.integers(90, 200))
    return {"sbp": str(sbp), "dbp": str(d.draw(st.integers(40, sbp - 10))),
            "hr": str(d.draw(st.integers(40, 150))), "spo2": str(d.draw(st.integers(85, 100))),
            "rr": str(d.draw(st.integers(6, 30))),
            "temp": f"{d.draw(st.integers(350, 400)) / 10:.1f}"}


def step(rec: Recorder, d: st.DataObject, clock: ManualClock) -> None:
    clock.advance(d.draw(st.integers(1, 900)))
    action = d.draw(st.sampled_from(["vitals", "assessment", "note", "medication", "quick",
                                     "start", "rate", "pause", "resume", "bolus", "stop",
                                     "amend", "amend", "strike", "artifact"]))
    nurse = d.draw(st.sampled_from(["RN7", "RN-8", "Zoë"]))
    if action == "vitals":
        rec.record_vitals(vitals(d), nurse)
    elif action == "assessment":
        rec.record_assessment({"moaas": d.draw(st.integers(0, 5)),
                               "pain": d.draw(st.integers(0, 10))}, nurse)
    elif action == "note":
        rec.add_note(nurse, d.draw(st.text(min_size=1, max_size=300)))
    elif action == "medication":
        rec.give_medication(nurse, d.draw(st.text(min_size=1, max_size=80)),
                            str(d.draw(st.integers(1, 500))), "mg", "IV")
    elif action == "quick":
        rec.quick_event(nurse, d.draw(st.sampled_from(["nausea", "anxiety", "music_on"])))
    elif action == "start":
        rec.start_infusion(nurse, rate="0.35", rate_unit="mg/kg/h", dose_mg="28")
    elif action == "rate":
        rec.change_rate(nurse, str(d.draw(st.integers(1, 100)) / 100), "mg/kg/h")
    elif action == "pause":
        rec.pause_infusion(nurse, "nausea")
    elif action == "resume":
        rec.resume_infusion(nurse)
    elif action == "bolus":
        rec.give_bolus(nurse, str(d.draw(st.integers(1, 50))))
    elif action == "stop":
        rec.stop_infusion(nurse)
    else:
        seq = d.draw(st.sampled_from(sorted(rec.session.entries)))
        entry = rec.session.entries[seq]
        if action == "amend":
            keys = (*FIELDS.get(entry.kind, ()), "unknown")
            values = d.draw(st.dictionaries(st.sampled_from(keys), ANY_VALUE, max_size=3))
            rec.amend(nurse, seq, values, "correction")
        elif action == "strike":
            rec.strike(nurse, seq, "wrong entry")
        else:
            rec.flag_artifact(nurse, seq, "probe")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["chronic-pain-iv", "esketamine-nasal"]))
def test_accepted_entries_and_amendments_always_fold_verify_and_export(data, protocol):
    clock = ManualClock(T0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "p.db"
        with Store(db) as store:
            rec = Recorder.open_new(store, clock, PROTOCOLS, {**OPENING, "protocol": protocol})
            for _ in range(data.draw(st.integers(1, 25))):
                try:
                    try:
                        step(rec, data, clock)
                    except ConfirmationNeeded as unusual:  # the nurse confirms, or not
                        if not data.draw(st.booleans()):
                            raise SessionStateError("not confirmed") from unusual
                        unusual.retry()
                except (ValidationError, SessionStateError):
                    event("refused")  # with a message: nothing stored
                else:
                    event(f"stored {rec.session.events[-1].kind}")
            sid = rec.session.session_id
            live = rec.session
        with Store(db) as store:
            again = Recorder(store, sid, clock, PROTOCOLS)
            assert again.session.unreadable == []
            assert [e.status for e in again.session.entry_list] == [
                e.status for e in live.entry_list]
            assert store.check_session(sid).ok
            now = clock.now() + timedelta(minutes=1)
            for fmt in FORMATS:
                for deidentify in (False, True):
                    assert render(again.session, PROTOCOLS, fmt, now=now, deidentify=deidentify)
            exported = Path(tmp) / "s.json"
            exported.write_bytes(render(again.session, PROTOCOLS, "json", now=now))
        with Store(Path(tmp) / "other.db") as other:  # and it imports elsewhere
            assert import_file(other, exported, PROTOCOLS, now) == (sid, len(live.events))
