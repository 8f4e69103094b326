"""The session aggregate: the current state folded from its events.

``Session.apply`` takes events in log order. Appends of readings and dose
events are folded incrementally; a correction (amend, strike, artifact) or any
back-dated entry (a reading, or a rate change recorded late at its real time)
rebuilds the derived state from the entries in time order, which is rare and
cheap enough.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from monitor.clock import from_iso
from monitor.model.bulk import bulk
from monitor.model.dosing import RateTimeline, to_mg_per_h
from monitor.model.events import ALARM_KINDS, CORRECTION_KINDS, Event, EventKind
from monitor.model.parameters import SCORE, VITAL, keys
from monitor.model.series import Readings, Series

VITAL_PARAMS = keys(group=VITAL)
SCORE_PARAMS = keys(group=SCORE)
SERIES_PARAMS = VITAL_PARAMS + SCORE_PARAMS
_CHOICES = ("o2", "acvpu")  # readings that are a choice, not a number: only the latest kept
# Quick events that set air/oxygen until a later set or event says otherwise (CLINICAL §7).
OXYGEN_EVENTS = {"oxygen_started": "oxygen", "oxygen_stopped": "air"}


class Priority(StrEnum):
    """An alarm's priority (IEC 60601-1-8); the value is what the log stores."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}
TIMELINE_KINDS = frozenset({
    EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
    EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED,
})


def _choose(choices: dict[str, tuple[float, str, int]], name: str, t: float, value: str,
            seq: int) -> None:
    """Keep the newest choice by observed time (a back-dated entry may be older)."""
    last = choices.get(name)
    if last is None or (last[0], last[2]) <= (t, seq):
        choices[name] = (t, value, seq)


class Phase(StrEnum):
    """Where a session stands; the value is what listings and exports show."""

    BASELINE = "baseline"
    INFUSING = "infusing"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    CLOSED = "closed"


def phase_of(*, closed: bool, discharged: bool, started: bool, stopped: bool,
             single_dose: bool) -> Phase:
    """The phase transition table, first row that holds wins. ``Session.phase`` reads it
    from the fold, the session listing from per-kind counts: one table for both."""
    if closed:
        return Phase.CLOSED
    if discharged:
        return Phase.DISCHARGED
    if not started:
        return Phase.BASELINE
    if stopped or single_dose:
        return Phase.RECOVERY
    return Phase.INFUSING


@dataclass(slots=True)
class Entry:
    """A clinical entry as the nurse sees it now (after any corrections)."""

    event: Event
    payload: dict[str, Any]
    corrections: list[Event] = field(default_factory=list)
    amended: bool = False
    struck: bool = False
    artifact: bool = False
    addendum: bool = False
    unreadable: str = ""  # why the entry could not be folded (it then takes no part)
    # The values flagged as artifact (a bad cuff reading is BP only): ``artifact`` is
    # True once every measured value of the entry is flagged.
    flagged: frozenset[str] = frozenset()

    @property
    def seq(self) -> int:
        return self.event.seq

    @property
    def kind(self) -> EventKind:
        return self.event.kind

    @property
    def observed_at(self) -> datetime:
        return self.event.observed_at

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        if self.struck:
            return "struck"
        if self.artifact:
            return "artifact"
        if self.flagged:
            return "artifact: " + " ".join(k for k in SERIES_PARAMS if k in self.flagged)
        return "amended" if self.amended else "valid"

    def status_of(self, name: str) -> str:
        """The status of one value of the entry (a flag may cover only some)."""
        if self.unreadable or self.struck:
            return self.status
        if self.is_artifact(name):
            return "artifact"
        return "amended" if self.amended else "valid"

    def is_artifact(self, name: str) -> bool:
        return self.artifact or name in self.flagged

    def measured(self) -> list[str]:
        """The entry's measured values (what a flag may name), in registry order."""
        return [k for k in SERIES_PARAMS if self.payload.get(k) is not None]

    @property
    def counts(self) -> bool:
        """True when the entry takes part in dosing, alarms and scores."""
        return not self.struck and not self.artifact and not self.unreadable


@dataclass
class AlarmState:
    alarm_id: int
    key: str
    rule: str
    parameter: str
    priority: Priority
    message: str
    raised_at: datetime
    raised_priority: Priority
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    action: str | None = None
    comment: str | None = None
    escalated_at: datetime | None = None
    last_announced_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_reason: str | None = None
    # (entry seq, parameter) of the readings behind the reason that raised the alarm
    # or escalated it to its priority: a flag on one of them ends it.
    readings: tuple[tuple[int, str], ...] = ()

    @property
    def active(self) -> bool:
        return self.resolved_at is None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.priority]


@dataclass
class AudioPause:
    paused_at: datetime
    until: datetime
    by: str
    rank_at_pause: int


class Session:
    """Everything known about one session, folded from its event log."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.events: list[Event] = []
        self.opening: dict[str, Any] = {}
        self.opened_at: datetime | None = None
        self.entries: dict[int, Entry] = {}
        self.alarms: dict[int, AlarmState] = {}
        self.active_alarm_by_key: dict[str, int] = {}
        self.audio_pause: AudioPause | None = None
        self.limit_overrides: dict[str, float | None] = {}
        self.sound_mode = "full"  # the bedside sound setting (monitor.sound.policy.MODES)
        self.discharge: dict[str, Any] | None = None
        self.discharged_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.rebuilds = 0  # views redraw everything when this changes
        # Events that could not be applied (a damaged or foreign record): shown as
        # unreadable with the reason, never a reason to refuse the whole session.
        self.unreadable: list[tuple[Event, str]] = []
        self._reset_derived()

    # -- derived state -------------------------------------------------------
    def _reset_derived(self) -> None:
        self.series: dict[str, Series] = {p: Series() for p in SERIES_PARAMS}
        self.latest_choice: dict[str, tuple[float, str, int]] = {}
        self.device_last: dict[str, float] = {}
        self.timeline = RateTimeline()
        self.infusion_started_at: datetime | None = None
        self.infusion_started_seq = 0
        self.infusion_stopped_at: datetime | None = None
        self.dose_mode = "infusion"
        self.paused = False
        self.rate_display: tuple[float, str] | None = None
        self.concentration: float | None = None
        self.reweighed_kg: float | None = None  # the last re-weigh folded (time order)
        self.baseline_cache: dict[str, float] | None = None
        # Ketamine recorded as a medication (not a bolus): it restarts the observation too.
        self.ketamine_medications: list[tuple[float, str]] = []

    @property
    def weight_kg(self) -> float:
        """The weight in force: the last re-weigh folded so far, else the opening's (a
        typing error there is amended, and then everything is recomputed)."""
        if self.reweighed_kg is not None:
            return self.reweighed_kg
        return float(self.opening.get("weight_kg") or 0.0)

    @property
    def spo2_scale(self) -> int | None:
        """NEWS2 SpO2 scale chosen for this patient (None: the protocol's)."""
        scale = self.opening.get("spo2_scale")
        return int(scale) if scale in (1, 2) else None

    @property
    def protocol_id(self) -> str:
        return str(self.opening.get("protocol", ""))

    @property
    def phase(self) -> Phase:
        return phase_of(closed=self.closed_at is not None,
                        discharged=self.discharged_at is not None,
                        started=self.infusion_started_at is not None,
                        stopped=self.infusion_stopped_at is not None,
                        single_dose=self.dose_mode == "single")

    @property
    def locked(self) -> bool:
        return self.closed_at is not None

    @property
    def entry_list(self) -> list[Entry]:
        return [self.entries[s] for s in sorted(self.entries)]

    # -- folding -------------------------------------------------------------
    def apply(self, ev: Event) -> None:
        try:
            self._apply(ev)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self._unreadable(ev, exc)

    def extend(self, events: list[Event]) -> None:
        """Apply many events in log order, as ``apply`` one by one would. Readings in
        time order (nearly all of a long session) are gathered and appended to their
        series at once; anything else goes through ``apply`` after what was gathered.

        A second fold of readings beside ``_fold_entry``, kept because it pays: a 24 h
        log folds 1.8-2.6x faster than by ``apply`` (medians of 7 interleaved pairs in
        each of three runs beside other work, e.g. 150 ms against 331 ms; `python -m
        bench.run "speed tricks"`, 7 Dec 2026). tests/monitor/model/test_bulk_fold.py
        proves both folds give the same session for any log."""
        readings = Readings(self.series)
        columns = readings.appenders
        latest = self._in_order_from(readings)
        choice, device_last = self.latest_choice, self.device_last
        vitals, assessment = EventKind.VITALS, EventKind.ASSESSMENT
        addendum = self.closed_at is not None
        append = self.events.append
        entries = self.entries
        for ev in events:
            kind = ev.kind
            if kind is vitals or kind is assessment:
                t = ev.observed_at.timestamp()
                if t >= latest:
                    p, seq, device = ev.payload, ev.seq, ev.source == "device"
                    try:
                        for name, value in p.items():
                            column = columns.get(name)
                            if column is not None:
                                add_t, add_value, add_seq, add_device = column
                                add_value(float(value))  # first: nothing added if not a number
                                add_t(t)
                                add_seq(seq)
                                add_device(device)
                                if device:
                                    device_last[name] = t
                            elif name in _CHOICES:
                                _choose(choice, name, t, str(value), seq)
                    except (TypeError, ValueError):
                        readings.drop(seq)  # the entry is unreadable: apply says why
                    else:
                        latest = t
                        append(ev)
                        entries[seq] = Entry(ev, p, [], False, False, False, addendum)
                        continue
            self._settle(readings)
            self.apply(ev)
            if readings.series is not self.series:  # rebuilt: the derived state is new
                readings = Readings(self.series)
                columns = readings.appenders
                choice, device_last = self.latest_choice, self.device_last
            latest = self._in_order_from(readings)
            addendum = self.closed_at is not None
        self._settle(readings)

    def _in_order_from(self, readings: Readings) -> float:
        """The earliest time a reading may have to be gathered in order: after the
        newest reading and, once dosing started, not before its start (an earlier one
        changes the baseline, and ``apply`` rebuilds for it)."""
        start = self.infusion_started_at
        latest = readings.last_time()
        return latest if start is None else max(latest, start.timestamp())

    def _settle(self, readings: Readings) -> None:
        if readings.flush() and self.infusion_started_at is None:
            self.baseline_cache = None

    def _unreadable(self, ev: Event, exc: Exception) -> None:
        why = f"{type(exc).__name__}: {exc}"[:200]
        self.unreadable.append((ev, why))
        entry = self.entries.get(ev.seq)
        if entry is not None and entry.event is ev:
            entry.unreadable = why
        self.rebuild()

    def reset_to(self, count: int) -> None:
        """Fold again from the first ``count`` events (after a commit was rolled back)."""
        events, rebuilds = self.events[:count], self.rebuilds
        self.__init__(self.session_id)  # type: ignore[misc]
        self.extend(events)
        self.rebuilds = max(self.rebuilds, rebuilds) + 1

    def _apply(self, ev: Event) -> None:
        self.events.append(ev)
        kind = ev.kind
        if kind is EventKind.VITALS or kind is EventKind.ASSESSMENT:  # the common case first
            entry = Entry(ev, ev.payload, addendum=self.closed_at is not None)
            self.entries[ev.seq] = entry
            if not self._fold_entry(entry):
                self.rebuild()
            return
        if kind is EventKind.SESSION_OPENED:
            float(ev.payload.get("weight_kg") or 0.0)  # unreadable unless a number
            self.opening = dict(ev.payload)
            self.opened_at = ev.observed_at
            self.entries[ev.seq] = Entry(ev, ev.payload)
        elif kind in CORRECTION_KINDS:
            self._apply_correction(ev)
        elif kind in ALARM_KINDS:
            self._apply_alarm(ev)
        elif kind is EventKind.LIMIT_CHANGED:
            self.limit_overrides[ev.payload["limit"]] = ev.payload["new"]
        elif kind is EventKind.SOUND_MODE_CHANGED:
            self.sound_mode = ev.payload["new"]
        elif kind is EventKind.DISCHARGED:
            self.discharge = dict(ev.payload)
            self.discharged_at = ev.observed_at
        elif kind is EventKind.CLOSED:
            self.closed_at = ev.observed_at
            self.closed_by = ev.author
        else:
            # Payloads are never mutated (an amendment replaces the dict), so share it.
            entry = Entry(ev, ev.payload, addendum=self.closed_at is not None)
            self.entries[ev.seq] = entry
            if not self._fold_entry(entry):
                self.rebuild()

    def _apply_correction(self, ev: Event) -> None:
        target = self.entries.get(int(ev.payload["target_seq"]))
        if target is None:
            raise KeyError(f"no entry {ev.payload['target_seq']} to correct")
        if ev.kind is EventKind.AMENDED:
            values = ev.payload["values"]
            if not isinstance(values, dict):
                raise TypeError("amended values are not a record")
            if target.kind is EventKind.SESSION_OPENED:
                float(values.get("weight_kg") or 0.0)  # unreadable unless a number
        target.corrections.append(ev)
        if ev.kind is EventKind.AMENDED:
            target.unreadable = ""  # the amended values get their own chance
            target.payload = dict(ev.payload["values"])
            target.amended = True
        elif ev.kind is EventKind.STRUCK:
            target.struck = True
        elif ev.kind is EventKind.ARTIFACT:
            named = ev.payload.get("parameters")  # older flags covered the whole entry
            if named is None:
                target.artifact = True
            else:
                target.flagged = target.flagged | frozenset(str(n) for n in named)
                target.artifact = target.artifact or set(target.measured()) <= target.flagged
        if target.kind is EventKind.SESSION_OPENED:
            self.opening = dict(target.payload)
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute series, infusion timeline and baseline from the entries."""
        self.rebuilds += 1
        self._reset_derived()
        ordered = sorted((e for e in self.entries.values()
                          if e.kind is not EventKind.SESSION_OPENED and not e.struck
                          and not e.unreadable),
                         key=lambda e: (e.observed_at, e.seq))
        for entry in ordered:
            try:
                self._fold_entry(entry)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                entry.unreadable = f"{type(exc).__name__}: {exc}"[:200]
                self.unreadable.append((entry.event, entry.unreadable))
                self.rebuild()  # without it: its half-applied values must not stay
                return

    def _fold_entry(self, entry: Entry) -> bool:
        """Fold one entry; False when it arrived out of time order (rebuild needed)."""
        if entry.struck:
            return True
        ev = entry.event
        kind = ev.kind
        t = ev.observed_at.timestamp()
        p = entry.payload
        if kind is EventKind.VITALS or kind is EventKind.ASSESSMENT:
            series = self.series
            device = ev.source == "device"
            seq, artifact, flagged = ev.seq, entry.artifact, entry.flagged
            if device and self._late(p, t):
                # In place, and the baseline is read again when it is older than the start.
                return self._fold_late_device(p, t, seq, artifact, flagged)
            if self.infusion_started_at is None:
                self.baseline_cache = None
            elif t < self.infusion_started_at.timestamp():
                return False  # recorded late, observed before dosing: a new baseline (rebuild)
            for name, value in p.items():
                if name in series:
                    if not series[name].append(t, float(value), seq,
                                               artifact or name in flagged, device):
                        return False
                    if device:
                        self.device_last[name] = t
                elif name in _CHOICES and not artifact:
                    _choose(self.latest_choice, name, t, str(value), seq)
            return True
        if kind is EventKind.MEDICATION:
            if "ketamine" in str(p.get("drug", "")).lower():
                self.ketamine_medications.append(
                    (t, f"{p.get('drug')} {p.get('dose')} {p.get('unit')}"))
            return True
        if ((kind in TIMELINE_KINDS or kind is EventKind.WEIGHED)
                and t < self.timeline.last_time()):
            return False  # back-dated dose event: rebuild the timeline in time order
        if kind is EventKind.INFUSION_STARTED:
            self.baseline_cache = None  # the baseline is what came before this start
            self.infusion_started_at = entry.observed_at
            self.infusion_started_seq = entry.seq
            self.concentration = p.get("concentration_mg_ml")
            if p.get("mode") == "single":
                self.dose_mode = "single"
                self.timeline.add_bolus(t, float(p["dose_mg"]))
            else:
                self._set_rate(t, p)
        elif kind is EventKind.RATE_CHANGED:
            self._set_rate(t, p)
        elif kind is EventKind.INFUSION_PAUSED:
            self.paused = True
            self.timeline.set_rate(t, 0.0)
        elif kind is EventKind.INFUSION_RESUMED:
            self.paused = False
            if self.rate_display:
                rate, unit = self.rate_display
                self.timeline.set_rate(t, to_mg_per_h(rate, unit, self.weight_kg,
                                                      self.concentration))
        elif kind is EventKind.BOLUS:
            self.timeline.add_bolus(t, float(p["dose_mg"]))
        elif kind is EventKind.WEIGHED:
            # A re-weigh: what was given stays; a rate per kg is re-derived from now on.
            self.reweighed_kg = float(p["weight_kg"])
            running = (self.rate_display and not self.paused and self.infusion_started_at
                       and self.infusion_stopped_at is None)
            if running and self.rate_display is not None:
                rate, unit = self.rate_display
                self.timeline.set_rate(t, to_mg_per_h(rate, unit, self.weight_kg,
                                                      self.concentration))
        elif kind is EventKind.INFUSION_STOPPED:
            self.infusion_stopped_at = entry.observed_at
            self.paused = False
            self.timeline.set_rate(t, 0.0)
        elif kind is EventKind.QUICK_EVENT and p.get("code") in OXYGEN_EVENTS:
            _choose(self.latest_choice, "o2", t, OXYGEN_EVENTS[p["code"]], ev.seq)
            return True
        self.timeline.finish()
        return True

    def _late(self, p: dict[str, Any], t: float) -> bool:
        """A device reading older than the newest of its parameters, and nothing in it
        whose latest value is carried forward (air/oxygen)."""
        series = self.series
        return (not any(name in _CHOICES for name in p)
                and any(name in series and t < series[name].last_time() for name in p))

    def _fold_late_device(self, p: dict[str, Any], t: float, seq: int, artifact: bool,
                          flagged: Collection[str] = ()) -> bool:
        """A late device reading changes no dose, so it goes into its series in place
        instead of a full rebuild (a monitor resending a long backlog must not refold a
        24 h session once per sample). Views redraw whole: ``rebuilds`` moves on."""
        values = {name: float(value) for name, value in p.items() if name in self.series}
        for name, value in values.items():
            self.series[name].insert(t, value, seq, artifact or name in flagged, True)
            self.device_last[name] = max(self.device_last.get(name, t), t)
        start = self.infusion_started_at
        if start is None or t < start.timestamp():
            self.baseline_cache = None
        self.rebuilds += 1
        return True

    def _set_rate(self, t: float, p: dict[str, Any]) -> None:
        rate, unit = float(p["rate"]), str(p["rate_unit"])
        if p.get("concentration_mg_ml"):  # a new syringe, or the one a mL/h rate was read with
            self.concentration = float(p["concentration_mg_ml"])
        mg_h = to_mg_per_h(rate, unit, self.weight_kg, self.concentration)
        self.rate_display = (rate, unit)
        if not self.paused:
            self.timeline.set_rate(t, mg_h)

    def _apply_alarm(self, ev: Event) -> None:
        p = ev.payload
        kind = ev.kind
        if kind is EventKind.ALARM_RAISED:
            priority = Priority(p["priority"])
            alarm = AlarmState(ev.seq, p["key"], p["rule"], p["parameter"], priority,
                               p["message"], ev.observed_at, priority,
                               last_announced_at=ev.observed_at,
                               readings=_readings(p.get("readings")))
            self.alarms[ev.seq] = alarm
            self.active_alarm_by_key[alarm.key] = ev.seq
            return
        if kind is EventKind.AUDIO_PAUSED:
            self.audio_pause = AudioPause(ev.observed_at, from_iso(p["until"]), ev.author,
                                          int(p["rank_at_pause"]))
            return
        if kind is EventKind.AUDIO_PAUSE_ENDED:
            self.audio_pause = None
            return
        alarm = self.alarms[int(p["alarm_id"])]
        if kind is EventKind.ALARM_ESCALATED:
            priority = Priority(p["priority"])
            rose = PRIORITY_RANK[priority] > alarm.rank
            alarm.priority = priority
            alarm.message = p["message"]
            alarm.escalated_at = ev.observed_at
            alarm.last_announced_at = ev.observed_at
            if "readings" in p:
                alarm.readings = _readings(p["readings"])
            # An acknowledgement holds only for the priority it was given at (CLINICAL §5):
            # past it, the row is a new alarm that sounds and, when high, latches. A row
            # that eases after it was seen keeps its acknowledgement.
            if rose:
                alarm.acknowledged_at = None
        elif kind is EventKind.ALARM_ACKNOWLEDGED:
            alarm.acknowledged_at = ev.observed_at
            alarm.acknowledged_by = ev.author
            alarm.action = p.get("action")
            alarm.comment = p.get("comment")
            alarm.last_announced_at = ev.observed_at
        elif kind is EventKind.ALARM_REANNOUNCED:
            # The alarm comes back: it needs a new acknowledgement (the old one stays in the log).
            alarm.acknowledged_at = None
            alarm.last_announced_at = ev.observed_at
        elif kind is EventKind.ALARM_RESOLVED:
            alarm.resolved_at = ev.observed_at
            alarm.resolved_reason = p.get("reason")
            self.active_alarm_by_key.pop(alarm.key, None)

    # -- queries -------------------------------------------------------------
    def latest(self, name: str) -> tuple[float, float, int] | None:
        """(epoch t, value, seq) of the newest valid reading of a numeric parameter."""
        if name in self.series:
            return self.series[name].last_valid()
        return None

    def choice(self, name: str) -> tuple[float, str, int] | None:
        """(epoch t, word, seq) of the newest choice recorded ("o2": "air" or "oxygen";
        "acvpu": "A" to "U"), carried forward until a later one."""
        return self.latest_choice.get(name)

    def baseline(self) -> dict[str, float]:
        """Latest valid value of each parameter observed before infusion start
        (at the same instant: recorded before it)."""
        if self.baseline_cache is not None:
            return self.baseline_cache
        cutoff = ((self.infusion_started_at.timestamp(), self.infusion_started_seq)
                  if self.infusion_started_at else (float("inf"), 0))
        base: dict[str, float] = {}
        for name, s in self.series.items():
            value = s.last_valid_before(*cutoff)
            if value is not None:
                base[name] = value
        self.baseline_cache = base
        return base

    def dose_mg(self, when: datetime) -> float:
        return self.timeline.dose_mg(when.timestamp())

    def dose_mg_per_kg(self, when: datetime) -> float:
        return self.dose_mg(when) / self.weight_kg if self.weight_kg else 0.0

    def rate_mg_per_h(self, when: datetime) -> float:
        return self.timeline.rate_at(when.timestamp())

    def active_alarms(self) -> list[AlarmState]:
        """Unresolved alarms, highest priority first, then newest first."""
        alarms = [self.alarms[s] for s in self.active_alarm_by_key.values()]
        return sorted(alarms, key=lambda a: (-a.rank, -a.raised_at.timestamp()))

    def entries_of(self, *kinds: EventKind) -> list[Entry]:
        return [e for e in self.entry_list if e.kind in kinds]


def _readings(value: object) -> tuple[tuple[int, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple((int(seq), str(name)) for seq, name in value)


def fold(session_id: str, events: list[Event]) -> Session:
    session = Session(session_id)
    with bulk():
        session.extend(events)
    return session
