"""A nurse and a monitor against the core (DESIGN §8; issue 21): every action either can
take, on a real SQLite file and a clock that jumps, with the invariants of
tests/monitor/safety_model.py checked after every step.

``make test`` runs a few hundred examples; ``make soak`` (KM_SAFETY_PROFILE=soak) many
more. Every failing example hypothesis found is kept below as a plain test.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.errors import ConfirmationNeeded, SessionStateError, ValidationError
from monitor.log.sqlite.store import Store
from monitor.model.events import Event, EventKind
from monitor.model.session import Phase
from monitor.model.vocabulary import ACK_ACTIONS
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals
from tests.monitor import safety_model as inv
from tests.monitor.safety_model import DoseEvent, Model
from tests.safety.profile import machine_settings

PROTOCOLS = load_protocols()
NURSE = "RN7"
SUBSTANTIVE = "Dr Okafor (prescriber) decided: stable, escorted, reviewed at the bedside"
Refused = (ValidationError, SessionStateError)


def confirmed(action: Callable[[], Event]) -> Event | None:
    """Do what the nurse asked, answering yes to any question; None when refused."""
    try:
        try:
            return action()
        except ConfirmationNeeded as question:
            return question.retry()
    except Refused:
        return None


class Bedside:
    """One session on a real file: the recorder, the test's own model and the checks."""

    def __init__(self, directory: Path, protocol: str) -> None:
        self.directory = directory
        self.db = directory / "sessions.db"
        self.clock = ManualClock(T0)
        self.rec = Recorder.open_new(Store(self.db), self.clock, PROTOCOLS,
                                     {**OPENING, "protocol": protocol})
        self.model = Model(weight_kg=float(OPENING["weight_kg"]))

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def when(self, minutes_back: int) -> datetime | None:
        return None if minutes_back == 0 else self.now - timedelta(minutes=minutes_back)

    def dose(self, event: Event | None, **values: Any) -> None:
        if event is not None:
            self.model.doses[event.seq] = DoseEvent(event.seq, event.kind, event.observed_at,
                                                    **values)

    def reopen(self) -> None:
        sid = self.rec.session.session_id
        self.rec.store.close()
        self.rec = Recorder(Store(self.db), sid, self.clock, PROTOCOLS)

    def check(self) -> None:
        now = self.now
        inv.check_high_announced_and_latched(self.rec, self.model, now)
        inv.check_min_observation(self.rec, self.model, now)
        inv.check_dose(self.rec, self.model, now)
        inv.check_artifact_and_row_priority(self.rec, self.model)
        inv.check_discharge(self.rec, self.model)
        inv.check_reopened_equals_live(self.rec, self.db, now)

    def close(self) -> None:
        self.rec.store.close()

    def acknowledge(self, index: int, action: str) -> None:
        open_alarms = [a for a in self.rec.session.active_alarms() if not a.acknowledged]
        if not open_alarms:
            return
        alarm = open_alarms[index % len(open_alarms)]
        seen = alarm.priority
        if confirmed(lambda: self.rec.acknowledge(NURSE, alarm.alarm_id, action)):
            self.model.acked_at[alarm.alarm_id] = seen

    def discharge(self, override: str | None) -> None:
        high = any(a.priority == "high" for a in self.rec.session.active_alarms())
        checklist = {"escort_present": True, "no_driving_advice": True,
                     "ready_to_leave_at": self.now, "aldrete_activity": 2,
                     "aldrete_respiration": 2, "override_reason": override}
        if confirmed(lambda: self.rec.discharge(NURSE, checklist)):
            self.model.high_at_discharge = high

    def strike(self, index: int, artifact: bool) -> None:
        kinds = ((EventKind.VITALS,) if artifact else
                 (EventKind.VITALS, EventKind.ASSESSMENT, EventKind.BOLUS,
                  EventKind.RATE_CHANGED, EventKind.MEDICATION))
        targets = [e for e in self.rec.session.entries_of(*kinds) if not e.struck]
        if not targets:
            return
        seq = targets[index % len(targets)].seq
        if artifact:
            confirmed(lambda: self.rec.flag_artifact(NURSE, seq, "cuff moved"))
        elif confirmed(lambda: self.rec.strike(NURSE, seq, "entered in error")):
            self.model.doses.pop(seq, None)


VITAL = st.fixed_dictionaries({
    "sbp": st.integers(75, 230), "dbp": st.integers(40, 130), "hr": st.integers(35, 150),
    "spo2": st.integers(82, 100), "rr": st.integers(5, 30)})
BACK = st.sampled_from([0, 0, 0, 2, 7, 15])


class NurseAndMonitor(RuleBasedStateMachine):
    """A nurse and a monitor: each rule is one thing either can do."""

    bed: Bedside

    @initialize(protocol=st.sampled_from(["chronic-pain-iv", "chronic-pain-iv",
                                          "esketamine-nasal"]))
    def open_session(self, protocol: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="safety-machine-"))
        self.bed = Bedside(self.tmp, protocol)
        baseline_vitals(self.bed.rec)

    def teardown(self) -> None:
        bed = getattr(self, "bed", None)
        if bed is not None:
            try:
                bed.close()
                inv.check_exports(bed.db, bed.rec.session.session_id, self.tmp)
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def phase(self) -> str:
        return self.bed.rec.session.phase

    # -- time and the monitor -----------------------------------------------------
    @rule(seconds=st.sampled_from([1, 5, 12, 30, 60, 180, 600, 1800, 3600]))
    def time_passes(self, seconds: int) -> None:
        self.bed.clock.advance(seconds)
        self.bed.rec.tick()

    @rule(values=st.lists(st.tuples(st.integers(0, 20), st.integers(80, 100),
                                    st.integers(40, 140)), min_size=1, max_size=6))
    def monitor_samples(self, values: list[tuple[int, int, int]]) -> None:
        """Device samples, in or out of time order (seconds back from now)."""
        now = self.bed.now
        sets = [({"spo2": spo2, "hr": hr}, now - timedelta(seconds=back), "MON-1")
                for back, spo2, hr in values]
        with contextlib.suppress(Refused):
            self.bed.rec.record_device_vitals(sets)

    # -- readings -----------------------------------------------------------------
    @rule(vitals=VITAL, back=BACK)
    def record_vitals(self, vitals: dict[str, int], back: int) -> None:
        fields = {k: str(v) for k, v in vitals.items()}
        confirmed(lambda: self.bed.rec.record_vitals(fields, NURSE,
                                                     observed_at=self.bed.when(back)))

    @rule(moaas=st.integers(0, 5), back=BACK)
    def record_assessment(self, moaas: int, back: int) -> None:
        confirmed(lambda: self.bed.rec.record_assessment(
            {"moaas": moaas, "acvpu": "A" if moaas == 5 else "V", "pain": 3,
             "cadss6_total": 0, "dissociation": 0}, NURSE, observed_at=self.bed.when(back)))

    @rule(index=st.integers(0, 50), sbp=st.integers(80, 220))
    def amend_reading(self, index: int, sbp: int) -> None:
        sets = [e for e in self.bed.rec.session.entries_of(EventKind.VITALS)
                if not e.struck and e.event.source == "manual" and "sbp" in e.payload]
        if sets:
            seq = sets[index % len(sets)].seq
            confirmed(lambda: self.bed.rec.amend(NURSE, seq, {"sbp": sbp}, "misread"))

    @rule(index=st.integers(0, 50), artifact=st.booleans())
    def strike_or_flag(self, index: int, artifact: bool) -> None:
        self.bed.strike(index, artifact)

    # -- alarms -------------------------------------------------------------------
    @rule(index=st.integers(0, 5), action=st.sampled_from(ACK_ACTIONS))
    def acknowledge(self, index: int, action: str) -> None:
        self.bed.acknowledge(index, action)

    @rule()
    def pause_audio(self) -> None:
        confirmed(lambda: self.bed.rec.pause_audio(NURSE))

    # -- dosing -------------------------------------------------------------------
    @precondition(lambda self: self.phase == Phase.BASELINE)
    @rule(rate=st.sampled_from(["0.15", "0.35", "0.5"]))
    def start(self, rate: str) -> None:
        rec = self.bed.rec
        if rec.protocol.dose_mode == "single":
            self.bed.dose(confirmed(lambda: rec.start_infusion(NURSE, dose_mg="56")), mg=56.0)
        else:
            self.bed.dose(confirmed(lambda: rec.start_infusion(
                NURSE, rate=rate, rate_unit="mg/kg/h")), rate=float(rate), unit="mg/kg/h")

    @precondition(lambda self: self.phase == Phase.INFUSING)
    @rule(rate=st.sampled_from(["0.1", "0.25", "0.4", "20"]), back=BACK)
    def change_rate(self, rate: str, back: int) -> None:
        unit = "mg/h" if rate == "20" else "mg/kg/h"
        self.bed.dose(confirmed(lambda: self.bed.rec.change_rate(
            NURSE, rate, unit, observed_at=self.bed.when(back))), rate=float(rate), unit=unit)

    @precondition(lambda self: self.phase == Phase.INFUSING)
    @rule(index=st.integers(0, 9), rate=st.sampled_from(["0.2", "0.3"]))
    def amend_rate(self, index: int, rate: str) -> None:
        changes = [e for e in self.bed.rec.session.entries_of(EventKind.RATE_CHANGED)
                   if not e.struck]
        if not changes:
            return
        entry = changes[index % len(changes)]
        unit = entry.payload["rate_unit"]
        if confirmed(lambda: self.bed.rec.amend(NURSE, entry.seq, {"rate": rate},
                                                "pump read wrong")):
            self.bed.model.doses[entry.seq].rate = float(rate)
            self.bed.model.doses[entry.seq].unit = unit

    @precondition(lambda self: self.phase == Phase.INFUSING)
    @rule(back=BACK)
    def pause_or_resume(self, back: int) -> None:
        rec = self.bed.rec
        when = self.bed.when(back)
        if rec.session.paused:
            self.bed.dose(confirmed(lambda: rec.resume_infusion(NURSE, observed_at=when)))
        else:
            self.bed.dose(confirmed(lambda: rec.pause_infusion(NURSE, "nausea",
                                                               observed_at=when)))

    @precondition(lambda self: self.phase in (Phase.INFUSING, Phase.RECOVERY))
    @rule(mg=st.sampled_from(["5", "10", "20", "28"]), back=BACK)
    def bolus(self, mg: str, back: int) -> None:
        self.bed.dose(confirmed(lambda: self.bed.rec.give_bolus(
            NURSE, mg, observed_at=self.bed.when(back))), mg=float(mg))

    @precondition(lambda self: self.phase == Phase.INFUSING)
    @rule(back=BACK)
    def stop(self, back: int) -> None:
        self.bed.dose(confirmed(lambda: self.bed.rec.stop_infusion(
            NURSE, observed_at=self.bed.when(back))))

    @rule(drug=st.sampled_from(["ondansetron", "midazolam"]))
    def medication(self, drug: str) -> None:
        confirmed(lambda: self.bed.rec.give_medication(NURSE, drug, "4", "mg", "IV", "nausea"))

    # -- ending -------------------------------------------------------------------
    @rule(phq9=st.integers(0, 27))
    def record_outcome(self, phq9: int) -> None:
        confirmed(lambda: self.bed.rec.record_outcome({"phq9": str(phq9)}, NURSE))

    @precondition(lambda self: self.phase == Phase.RECOVERY)
    @rule(override=st.sampled_from([None, ".", SUBSTANTIVE]))
    def discharge(self, override: str | None) -> None:
        self.bed.discharge(override)

    @precondition(lambda self: self.phase == Phase.DISCHARGED)
    @rule()
    def close_and_sign(self) -> None:
        confirmed(lambda: self.bed.rec.close(NURSE))

    @rule()
    def reopen_from_the_log(self) -> None:
        self.bed.reopen()

    @invariant()
    def what_must_always_hold(self) -> None:
        if getattr(self, "bed", None) is not None:
            self.bed.check()


NurseAndMonitor.TestCase.settings = settings(
    machine_settings(default=(300, 25), soak=(5000, 60)),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestNurseAndMonitor = pytest.mark.hazard("H-236")(NurseAndMonitor.TestCase)


# -- what the machine found, kept as plain tests (minimal examples) -------------------
@pytest.fixture
def bed(tmp_path: Path):
    bedside = Bedside(tmp_path, "chronic-pain-iv")
    baseline_vitals(bedside.rec)
    yield bedside
    bedside.close()


def infuse(bed: Bedside) -> None:
    bed.dose(confirmed(lambda: bed.rec.start_infusion(NURSE, rate="0.35",
                                                      rate_unit="mg/kg/h")),
             rate=0.35, unit="mg/kg/h")


@pytest.mark.hazard("H-230")
def test_an_alarm_acknowledged_at_medium_that_worsens_to_high_is_announced(bed):
    """Machine: NEWS2 acknowledged at medium rose to 9 (HIGH), stayed silent and resolved
    unlatched. The same junction by hand: SBP 165 acknowledged, then 205/125."""
    infuse(bed)
    bed.clock.advance(60)
    confirmed(lambda: bed.rec.record_vitals({"sbp": "165", "dbp": "95"}, NURSE))
    bed.acknowledge(0, "re-measured")
    bed.clock.advance(60)
    confirmed(lambda: bed.rec.record_vitals({"sbp": "205", "dbp": "125"}, NURSE))
    bed.check()
    bed.clock.advance(30)
    confirmed(lambda: bed.rec.record_vitals({"sbp": "140", "dbp": "85"}, NURSE))
    bed.check()


@pytest.mark.hazard("H-231")
def test_a_bolus_after_the_end_restarts_the_minimum_observation(bed):
    infuse(bed)
    bed.clock.advance(120 * 60)
    bed.dose(confirmed(lambda: bed.rec.stop_infusion(NURSE)))
    bed.clock.advance(55 * 60)
    bed.dose(confirmed(lambda: bed.rec.give_bolus(NURSE, "20")), mg=20.0)
    bed.clock.advance(5 * 60)
    bed.rec.tick()
    bed.check()


@pytest.mark.hazard("H-232")
def test_discharge_over_an_active_high_alarm_names_who_decided(bed):
    """Machine (minimal example): esketamine, MOAA/S 0, 56 mg given, discharged at once
    with the override "." while the HIGH alarm was active. The same on IV:"""
    infuse(bed)
    bed.clock.advance(10 * 60)
    bed.dose(confirmed(lambda: bed.rec.stop_infusion(NURSE)))
    confirmed(lambda: bed.rec.record_vitals({"sbp": "200", "dbp": "120"}, NURSE))
    bed.discharge(".")
    bed.check()


@pytest.mark.hazard("H-233")
def test_a_row_acknowledged_at_high_drops_to_its_remaining_reasons_priority(bed):
    """Machine: MOAA/S 0 raised NEWS2 medium (3 in one parameter); unacknowledged for 5 min
    it escalated to HIGH; acknowledged at HIGH, the row stayed HIGH though its only
    remaining reason is medium."""
    confirmed(lambda: bed.rec.record_assessment(
        {"moaas": 0, "acvpu": "V", "pain": 3, "cadss6_total": 0, "dissociation": 0}, NURSE))
    confirmed(lambda: bed.rec.pause_audio(NURSE))
    bed.clock.advance(600)
    bed.rec.tick()
    bed.acknowledge(1, "re-measured")
    bed.check()


@pytest.mark.hazard("H-215")
def test_every_committed_entry_reaches_every_export(bed, tmp_path):
    """Every kind of entry, corrected and back-dated ones too, in JSON, CSV and FHIR."""
    rec = bed.rec
    infuse(bed)
    for minutes, sbp in ((5, "150"), (10, "205")):
        bed.clock.advance(minutes * 60)
        confirmed(lambda s=sbp: rec.record_vitals({"sbp": s, "dbp": "90", "hr": "80"}, NURSE,
                                                  observed_at=bed.when(2)))
    bed.acknowledge(0, "physician informed")
    bed.dose(confirmed(lambda: rec.change_rate(NURSE, "0.25", "mg/kg/h")),
             rate=0.25, unit="mg/kg/h")
    bed.dose(confirmed(lambda: rec.give_bolus(NURSE, "10")), mg=10.0)
    rec.give_medication(NURSE, "ondansetron", "4", "mg", "IV", "nausea")
    rec.record_device_vitals([({"spo2": 96, "hr": 81}, bed.now, "MON-1")])
    rec.record_assessment({"moaas": 4, "pain": 2}, NURSE)
    bed.strike(0, artifact=True)
    bed.strike(3, artifact=False)
    rec.add_note(NURSE, "patient comfortable")
    bed.clock.advance(600)
    bed.dose(confirmed(lambda: rec.stop_infusion(NURSE)))
    rec.record_outcome({"phq9": "12"}, NURSE)
    bed.close()
    out = tmp_path / "out"
    out.mkdir()
    inv.check_exports(bed.db, rec.session.session_id, out)
    bed.rec.store = Store(bed.db)  # the fixture closes it again
