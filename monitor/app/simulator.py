"""A realistic, seeded demo session, driven through the same recorder (and so
the same validation, store and rules) as a nurse's entries.

The script is a time-ordered list of actions at offsets from the session
start. Headless runs play it as fast as possible on a manual clock; the
window plays it at ``--speed`` simulated seconds per real second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from monitor.clinical.discharge import automatic_checks
from monitor.clinical.protocols import ProtocolSet, load_protocols
from monitor.clock import ManualClock
from monitor.errors import ConfirmationNeeded, MonitorError
from monitor.log.eventlog import EventLog
from monitor.model.vocabulary import ACK_ACTIONS
from monitor.record.recorder import Recorder

NURSE = "RN-DEMO"
BASELINE_MIN = 10
RECOVERY_MIN = 65
DEFAULT_INFUSION_MIN = 120
Action = Callable[[Recorder], object]  # what it returns is not used
# The demo patient's pre-infusion checklist: steps done, no contraindication, no
# concomitant sedatives.
CHECKLIST = {"fasting": "yes", "contraindications_asked": "yes", "escort_arranged": "yes",
             "pregnancy": "no", "psychosis": "no", "raised_icp": "no",
             "uncontrolled_hypertension": "no", "benzodiazepines": "no", "opioids": "no",
             "gabapentinoids": "no", "alcohol_today": "no", "psychostimulants": "no",
             "maois": "no"}


class DeviceFeed(Protocol):
    """Where the demo's device samples go instead of straight into the recorder."""

    def send(self, recorder: Recorder, values: dict[str, float]) -> object: ...


@dataclass(order=True)
class Step:
    at_s: float
    order: int
    action: Action = field(compare=False)
    label: str = field(compare=False, default="")


class DemoScript:
    """The demo session as actions; the same seed gives the same session."""

    def __init__(self, seed: int = 1, *, minutes: float | None = None,
                 device_rate: float = 0.0, device_feed: DeviceFeed | None = None) -> None:
        self.rng = random.Random(seed)
        self.temp_rng = random.Random(-seed)
        full = BASELINE_MIN + DEFAULT_INFUSION_MIN + RECOVERY_MIN
        total = minutes if minutes is not None else full
        self.stop_at_s = total * 60.0
        # A longer run stretches the infusion so the session still ends in discharge.
        self.infusion_min = (total - BASELINE_MIN - RECOVERY_MIN if total > full
                             else DEFAULT_INFUSION_MIN)
        self.device_rate = device_rate
        self.device_feed = device_feed
        self.base = {"sbp": 126 + self.rng.randint(-6, 6), "dbp": 80 + self.rng.randint(-4, 4),
                     "hr": 70 + self.rng.randint(-6, 6)}
        self._counter = 0
        self.steps: list[Step] = []
        self._build()
        self.steps.sort()

    # -- physiology ------------------------------------------------------------
    def surge(self, minute: float) -> float:
        """BP rise after the start: peaks near 40 min, settles after the infusion."""
        if minute <= 0:
            return 0.0
        if minute <= 40:
            return 38.0 * minute / 40.0
        settle = 38.0 * math.exp(-(minute - 40.0) / 45.0)
        return max(settle, 8.0 if minute < self.infusion_min else 0.0)

    def vitals(self, minute: float) -> dict[str, str]:
        r = self.rng
        s = self.surge(minute)
        sbp = round(self.base["sbp"] + s + r.gauss(0, 3))
        dbp = round(self.base["dbp"] + 0.45 * s + r.gauss(0, 2))
        hr = round(self.base["hr"] + 0.35 * s + r.gauss(0, 2))
        spo2 = min(100, round(97.5 + r.gauss(0, 0.7)))
        if 68 <= minute <= 72:
            spo2 = 93  # a brief dip
        rr = round(15 + r.gauss(0, 1))
        out = {"sbp": str(sbp), "dbp": str(min(dbp, sbp - 10)), "hr": str(hr),
               "spo2": str(spo2), "rr": str(rr)}
        if int(minute) % 60 == 0 or minute < 0:
            out["temp"] = f"{36.7 + r.gauss(0, 0.1):.1f}"
        elif int(minute) % 30 == 0:  # NEWS2 reads the last 60 min: a temperature each half hour
            out["temp"] = f"{36.7 + self.temp_rng.gauss(0, 0.1):.1f}"  # (the main draws unchanged)
        return out

    def dissociation(self, minute: float) -> int:
        if minute <= 0:
            return 0
        if minute < self.infusion_min:
            return min(7, round(7 * min(1.0, minute / 35.0)))
        return max(0, round(7 - (minute - self.infusion_min) / 6))

    def assessment(self, minute: float) -> dict[str, object]:
        dis = self.dissociation(minute)
        moaas = 4 if 48 <= minute <= 52 else 5
        pain = max(2, round(7 - 4 * min(1.0, max(0.0, minute) / self.infusion_min)))
        items = [min(4, max(0, round(dis / 2.5 + self.rng.uniform(-0.5, 0.5)))) for _ in range(6)]
        return {"moaas": moaas, "acvpu": "A", "pain": pain, "dissociation": dis,
                "cadss6": items if minute > 0 else [0] * 6,
                "nausea": "mild" if 24 <= minute <= 32 else "none"}

    # -- script ----------------------------------------------------------------
    def at(self, seconds: float, action: Action, label: str = "") -> None:
        self._counter += 1
        self.steps.append(Step(seconds, self._counter, action, label))

    def _build(self) -> None:
        start = BASELINE_MIN * 60.0
        inf_end = start + self.infusion_min * 60.0
        end = inf_end + RECOVERY_MIN * 60.0

        def minute(t: float) -> float:
            return (t - start) / 60.0

        def vitals(m: float) -> Action:
            return lambda r: r.record_vitals(self.vitals(m), NURSE)

        def assess(m: float) -> Action:
            return lambda r: r.record_assessment(self.assessment(m), NURSE)

        def device(m: float) -> Action:
            return lambda r: self._device(r, m)

        for t in (60.0, 420.0):
            self.at(t, vitals(minute(t)), "vitals")
        self.at(480.0, assess(-1), "assessment")
        self.at(540.0, lambda r: r.record_checklist(NURSE, CHECKLIST), "checklist")
        self.at(start, lambda r: r.start_infusion(NURSE, rate="0.35", rate_unit="mg/kg/h",
                                                  concentration="2"), "start")
        t = start + 600.0
        while t < inf_end:
            self.at(t, vitals(minute(t)), "vitals")
            t += 600.0
        t = start + 15 * 60.0
        while t < end:
            self.at(t - 30, assess(minute(t)), "assessment")
            t += 15 * 60.0
        self.at(start + 50 * 60.0, assess(50),
                "sedation check")
        self.at(start + 25 * 60.0, lambda r: r.quick_event(NURSE, "nausea"), "nausea")
        self.at(start + 27 * 60.0, lambda r: r.give_medication(
            NURSE, "ondansetron", "4", "mg", "IV", "nausea"), "antiemetic")
        self.at(start + 70 * 60.0, vitals(70), "dip")
        self.at(start + 43 * 60.0, lambda r: r.change_rate(NURSE, "0.25", "mg/kg/h"),
                "rate change")
        self.at(start + 60 * 60.0, lambda r: r.quick_event(NURSE, "music_on"), "music")
        self.at(inf_end, lambda r: r.stop_infusion(NURSE), "stop")
        t = inf_end + 15 * 60.0
        while t < end:
            self.at(t, vitals(minute(t)), "vitals")
            t += 15 * 60.0
        self.at(end - 120, vitals(10_000), "pre-discharge")
        self.at(end - 90, assess(10_000),
                "pre-discharge")
        self.at(end - 30, self._discharge, "discharge")
        self.at(end, lambda r: r.close(NURSE), "close")
        t = 30.0
        while t < end:
            self.at(t, self._react, "")
            t += 30.0
        if self.device_rate > 0:
            step = 1.0 / self.device_rate
            n = int((end - start) / step)
            for i in range(n):
                t = start + i * step
                self.at(t, device(minute(t)), "")

    def _device(self, rec: Recorder, minute: float) -> None:
        hr = round(self.base["hr"] + 0.35 * self.surge(minute) + self.rng.gauss(0, 1.5))
        spo2 = min(100, round(97.5 + self.rng.gauss(0, 0.6)))
        if self.device_feed is not None:
            self.device_feed.send(rec, {"hr": hr, "spo2": spo2})
        else:
            rec.record_vitals({"hr": str(hr), "spo2": str(spo2)}, NURSE, source="device")

    def _react(self, rec: Recorder) -> None:
        """The window ticks the rules every second; the simulated nurse acknowledges
        alarms about a minute after they sound."""
        rec.tick()
        now = rec.clock.now()
        for alarm in rec.session.active_alarms():
            announced = alarm.last_announced_at or alarm.raised_at
            if alarm.acknowledged or now - announced < timedelta(seconds=60):
                continue
            action = {"sbp": "infusion slowed", "dbp": "infusion slowed",
                      "spo2": "re-measured", "moaas": "patient reassured"}.get(
                alarm.parameter, "re-measured")
            assert action in ACK_ACTIONS
            rec.acknowledge(NURSE, alarm.alarm_id, action)

    def _discharge(self, rec: Recorder) -> None:
        now = rec.clock.now()
        failing = [c.label for c in automatic_checks(rec.session, rec.protocol, now) if not c.ok]
        checklist = {"escort_present": True, "no_driving_advice": True,
                     "ready_to_leave_at": now - timedelta(minutes=5)}
        if failing:  # the demo's prescriber reviews what is not met, then confirms the list
            checklist |= {"override": "prescriber", "prescriber": "Dr Demo",
                          "override_reason": "demo session reviewed: " + ", ".join(failing)}
        try:
            rec.discharge(NURSE, checklist)
        except ConfirmationNeeded as asked:
            asked.retry()


DEMO_OPENING = {"patient_id": "DEMO-0001", "display_name": "Demo Patient", "weight_kg": "72",
                "indication": "CRPS", "protocol": "chronic-pain-iv", "nurse_id": NURSE}


def open_demo(store: EventLog, clock: ManualClock | None = None,
              protocols: ProtocolSet | None = None) -> Recorder:
    return Recorder.open_new(store, clock or ManualClock(datetime.now(UTC)),
                             protocols or load_protocols(), dict(DEMO_OPENING))


def play(script: DemoScript, rec: Recorder, clock: ManualClock | None, start: datetime,
         until_s: float | None = None, from_index: int = 0) -> int:
    """Run the script's steps up to ``until_s``; returns the next step index.

    With a ManualClock each step runs at its exact instant; with None the
    caller's clock keeps flowing (the window's demo at --speed)."""
    limit = script.stop_at_s if until_s is None else min(until_s, script.stop_at_s)
    i = from_index
    while i < len(script.steps) and script.steps[i].at_s <= limit:
        step = script.steps[i]
        if clock is not None:
            clock.set(start + timedelta(seconds=step.at_s))
        try:
            step.action(rec)
        except MonitorError as exc:  # a demo step must not stop the demo
            raise MonitorError(f"demo step '{step.label}' at {step.at_s:.0f} s: {exc}") from exc
        i += 1
    return i


def run_headless(log: EventLog, *, seed: int = 1, minutes: float | None = None,
                 device_rate: float = 0.0, start: datetime | None = None,
                 device: str = "direct") -> str:
    script = DemoScript(seed, minutes=minutes, device_rate=device_rate)
    begin = start or datetime.now(UTC) - timedelta(seconds=script.stop_at_s)
    clock = ManualClock(begin)
    feed = None
    if device == "hl7":
        from monitor.devices.demo_feed import Hl7Feed  # ~35 ms: a demo with a monitor
        feed = script.device_feed = Hl7Feed(clock)
    rec = open_demo(log, clock)
    try:
        play(script, rec, clock, begin)
    finally:
        if feed is not None:
            feed.close()
    s = rec.session
    return (f"session {s.session_id}: {len(s.events)} entries, {len(s.alarms)} alarms "
            f"raised, phase {s.phase}, dose {s.dose_mg(clock.now()):.1f} mg")
