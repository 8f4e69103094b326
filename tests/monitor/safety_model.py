"""What must always hold of a session, checked from outside the core.

The safety machine (test_safety_machine.py) and its kept examples use these: each
function raises AssertionError naming the invariant and what broke it. Nothing here
uses the core's own derivations where an independent one is possible: the dose is
integrated again from the recorded dose events, the exports are read back as files
(json, csv, fhir.resources), the reopened session is folded from the file.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from monitor.clinical.rules.alarms import sounding
from monitor.clinical.rules.artifacts import ENDED_REASON, STRUCK_REASON
from monitor.clinical.rules.schedule import min_observation
from monitor.log.eventlog import open_log
from monitor.model.events import EventKind
from monitor.model.session import PRIORITY_RANK, Session, fold
from monitor.record.recorder import Recorder
from tests.conftest import export_file

HIGH = PRIORITY_RANK["high"]
DOSE_KINDS = (EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
              EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED)


@dataclass
class DoseEvent:
    """A dose entry as the nurse recorded it (rates in mg/kg/h or mg/h, bolus in mg)."""
    seq: int
    kind: EventKind
    at: datetime
    rate: float | None = None
    unit: str | None = None
    mg: float | None = None


@dataclass
class Model:
    """What the test itself knows of the session: its own record of every dose entry and
    of the priority each acknowledgement was given at."""
    weight_kg: float
    doses: dict[int, DoseEvent] = field(default_factory=dict)
    acked_at: dict[int, str] = field(default_factory=dict)   # alarm id -> priority seen
    must_latch: set[int] = field(default_factory=set)
    high_at_discharge: bool = False
    marks: list[tuple[datetime, float]] = field(default_factory=list)

    def mg_per_h(self, ev: DoseEvent) -> float:
        assert ev.rate is not None
        return ev.rate * self.weight_kg if ev.unit == "mg/kg/h" else ev.rate

    def dose_mg(self, when: datetime) -> float:
        """The rate timeline integrated from the recorded dose events, in time order."""
        total, rate, last, paused, set_rate = 0.0, 0.0, None, False, 0.0
        for ev in sorted(self.doses.values(), key=lambda e: (e.at, e.seq)):
            if ev.at > when:
                break
            if last is not None:
                total += rate * (ev.at - last).total_seconds() / 3600
            last = ev.at
            if ev.kind is EventKind.BOLUS or (ev.kind is EventKind.INFUSION_STARTED
                                              and ev.mg is not None and ev.rate is None):
                total += ev.mg or 0.0
            elif ev.kind in (EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED):
                set_rate = self.mg_per_h(ev)
                rate = 0.0 if paused else set_rate
            elif ev.kind is EventKind.INFUSION_PAUSED:
                paused, rate = True, 0.0
            elif ev.kind is EventKind.INFUSION_RESUMED:
                paused, rate = False, set_rate
            elif ev.kind is EventKind.INFUSION_STOPPED:
                paused, rate = False, 0.0
        if last is not None:
            total += rate * (when - last).total_seconds() / 3600
        return total

    def last_drug(self) -> datetime | None:
        """When the last ketamine was given: a bolus, a single dose, the infusion's end."""
        times = [e.at for e in self.doses.values()
                 if e.kind in (EventKind.BOLUS, EventKind.INFUSION_STOPPED)
                 or (e.kind is EventKind.INFUSION_STARTED and e.rate is None)]
        return max(times, default=None)


def acknowledged_at_high(model: Model, alarm) -> bool:
    return alarm.acknowledged and model.acked_at.get(alarm.alarm_id) == "high"


def check_high_announced_and_latched(rec: Recorder, model: Model, now: datetime) -> None:
    """A condition at HIGH not acknowledged at HIGH is announced (sounding, or paused with
    a countdown) and latched (it stays until someone acknowledges it at HIGH)."""
    s = rec.session
    for key, cond in rec.last_evaluation.conditions.items():
        if cond.priority != "high":
            continue
        alarm_id = s.active_alarm_by_key.get(key)
        assert alarm_id is not None, f"HIGH condition {cond.message!r} has no active alarm"
        alarm = s.alarms[alarm_id]
        assert alarm.priority == "high", (
            f"HIGH condition {cond.message!r} shown at {alarm.priority}")
        if not acknowledged_at_high(model, alarm):
            model.must_latch.add(alarm_id)
    for alarm in s.active_alarms():
        if alarm.priority == "high" and not acknowledged_at_high(model, alarm):
            model.must_latch.add(alarm.alarm_id)
            pause = s.audio_pause
            paused = pause is not None and now < pause.until and pause.rank_at_pause >= HIGH
            assert sounding(s, now) == "high" or paused, (
                f"HIGH alarm {alarm.message!r} not acknowledged at HIGH is silent "
                f"(acknowledged: {alarm.acknowledged}, seen at "
                f"{model.acked_at.get(alarm.alarm_id)})")
    for alarm_id in sorted(model.must_latch):
        alarm = s.alarms[alarm_id]
        if acknowledged_at_high(model, alarm):
            model.must_latch.discard(alarm_id)
            continue
        assert alarm.active or _ended_by_a_correction(alarm), (
            f"HIGH alarm {alarm.message!r} ended without an acknowledgement at HIGH "
            f"(not latched; ended: {alarm.resolved_reason!r})")


def _ended_by_a_correction(alarm: Any) -> bool:
    """A latched alarm that rested on a reading the nurse then flagged as artifact or
    struck ends with that recorded decision (CLINICAL §5: a flagged value never drives
    or re-latches an alarm); nothing else may end it unseen."""
    return str(alarm.resolved_reason or "") in (ENDED_REASON, STRUCK_REASON)


def check_min_observation(rec: Recorder, model: Model, now: datetime) -> None:
    """The minimum observation is never met within its minutes of the last drug given."""
    mo = min_observation(rec.session, rec.protocol, now)
    if mo is None or not mo.met:
        return
    last = model.last_drug()
    end = rec.session.discharged_at or now
    assert last is not None, "minimum observation met with no drug recorded as given"
    assert end - last >= timedelta(minutes=mo.required_min), (
        f"minimum observation ({mo.required_min:.0f} min) met "
        f"{(end - last).total_seconds() / 60:.1f} min after the last drug")


def check_dose(rec: Recorder, model: Model, now: datetime) -> None:
    """The dose so far equals the rate timeline integrated (to 0.01 mg), at now and at every
    earlier step's time: it never changes retroactively without a recorded decision."""
    s = rec.session
    for when in [*(t for t, _ in model.marks), now]:
        expected = model.dose_mg(when)
        assert abs(s.dose_mg(when) - expected) < 0.01, (
            f"dose at {when:%H:%M:%S} is {s.dose_mg(when):.3f} mg; the recorded rate "
            f"events give {expected:.3f} mg")
    model.marks.append((now, model.dose_mg(now)))


def latest_unflagged(session: Session, param: str) -> float | None:
    """The newest reading of ``param`` that is neither struck nor flagged as artifact,
    read from the entries (not from the folded series)."""
    readings = [(e.observed_at, e.seq, e.payload[param]) for e in session.entry_list
                if e.kind in (EventKind.VITALS, EventKind.ASSESSMENT) and param in e.payload
                and not e.struck and not e.artifact]
    return float(max(readings)[2]) if readings else None


def check_artifact_and_row_priority(rec: Recorder, model: Model) -> None:
    """No alarm is driven by a value flagged as artifact, and a row's priority equals its
    highest remaining reason's (once acknowledged at the priority it shows)."""
    s = rec.session
    for key, cond in rec.last_evaluation.conditions.items():
        if cond.rule == "limit" and cond.value is not None:
            assert cond.value == latest_unflagged(s, cond.parameter), (
                f"{cond.message!r} is driven by a value that is not the newest valid "
                f"{cond.parameter} ({latest_unflagged(s, cond.parameter)})")
        alarm_id = s.active_alarm_by_key.get(key)
        if alarm_id is None:
            continue
        alarm = s.alarms[alarm_id]
        if alarm.acknowledged and model.acked_at.get(alarm_id) == alarm.priority:
            assert alarm.rank <= cond.rank, (
                f"row {key} shows {alarm.priority} but its highest remaining reason is "
                f"{cond.priority} ({cond.message!r})")


NAMED_DECISION_KEYS = ("prescriber", "decided_by", "decision_by")


def named_decision(payload: dict) -> bool:
    """The discharge record says who decided and why: a named prescriber with a reason of
    substance (three words or more), or that the patient left against advice."""
    texts = " ".join(str(v) for v in payload.values() if isinstance(v, str)).lower()
    if "against advice" in texts:
        return True
    named = any(str(payload.get(k) or "").strip() for k in NAMED_DECISION_KEYS)
    reason = str(payload.get("override_reason") or "")
    return named and len(reason.split()) >= 3


def check_discharge(rec: Recorder, model: Model) -> None:
    """A discharged session has no active HIGH alarm (nor was discharged over one) unless
    the record says who decided and why."""
    s = rec.session
    if s.discharged_at is None:
        return
    high_now = any(a.priority == "high" for a in s.active_alarms())
    if high_now or model.high_at_discharge:
        assert s.discharge is not None and named_decision(s.discharge), (
            "discharged with a HIGH alarm active and no named decision: "
            f"override {(s.discharge or {}).get('override_reason')!r}")


def check_reopened_equals_live(rec: Recorder, db: Path, now: datetime) -> None:
    """The session folded again from the file equals the live one."""
    sid = rec.session.session_id
    with open_log(db, readonly=True) as log:
        again = fold(sid, log.events(sid))
    live = rec.session
    assert again.phase == live.phase, f"reopened phase {again.phase} != live {live.phase}"
    assert again.alarms == live.alarms, "reopened alarms differ from the live ones"
    assert again.active_alarm_by_key == live.active_alarm_by_key
    assert again.audio_pause == live.audio_pause
    assert abs(again.dose_mg(now) - live.dose_mg(now)) < 1e-9, "reopened dose differs"
    assert again.discharge == live.discharge
    assert {k: (e.struck, e.artifact, e.payload) for k, e in again.entries.items()} == {
        k: (e.struck, e.artifact, e.payload) for k, e in live.entries.items()}


def check_exports(db: Path, session_id: str, out: Path) -> None:
    """Every committed entry appears in the JSON (every event, by its hash), the CSV (every
    clinical entry, by its entry id) and the FHIR bundle (every manual vitals set,
    assessment, medication and bolus, at its time)."""
    with open_log(db, readonly=True) as log:
        events = log.events(session_id)
    session = fold(session_id, events)
    doc = json.loads(export_file(db, session_id, "json", out / "s.json").read_text("utf-8"))
    missing = {e.hash for e in events} - {e["hash"] for e in doc["events"]}
    assert not missing, f"{len(missing)} committed events missing from the JSON export"
    with export_file(db, session_id, "csv", out / "s.csv").open(encoding="utf-8-sig") as f:
        in_csv = {row["entry_id"] for row in csv.DictReader(f)}
    clinical = {e.event.entry_id: e.kind for e in session.entry_list
                if e.kind is not EventKind.SESSION_OPENED}
    gone = sorted(f"{kind.value} {eid}" for eid, kind in clinical.items() if eid not in in_csv)
    assert not gone, f"entries missing from the CSV export: {gone}"
    raw = json.loads(export_file(db, session_id, "fhir", out / "s.fhir").read_text("utf-8"))
    Bundle.model_validate(raw)
    seen: set[tuple[str, str]] = set()
    for item in raw["entry"]:
        res = item["resource"]
        when = res.get("effectiveDateTime") or res.get("effectivePeriod", {}).get("start")
        if when:
            seen.add((res["resourceType"], when))
    wanted = {EventKind.VITALS: "Observation", EventKind.ASSESSMENT: "Observation",
              EventKind.MEDICATION: "MedicationAdministration",
              EventKind.BOLUS: "MedicationAdministration"}
    lost = []
    for e in session.entry_list:
        kind = wanted.get(e.kind)
        if kind is None or e.event.source == "device" or (e.kind is EventKind.BOLUS
                                                          and e.struck):
            continue
        stamp = e.observed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        if not any(k == kind and w.startswith(stamp) for k, w in seen):
            lost.append(f"{e.kind.value} at {stamp}")
    assert not lost, f"entries missing from the FHIR export: {lost}"
