"""The session recorder: the single path from a nurse's (or device's) input
to the log. Validate → append and commit → fold → evaluate rules (their
decisions are appended too) → notify plain-Python subscribers.

Nothing is stored when validation fails, and subscribers hear of an entry
only after it is committed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from monitor.clinical import entries
from monitor.clinical.discharge import validate_discharge
from monitor.clinical.discharge_override import unmet_lines
from monitor.clinical.doseplan import entry_warnings
from monitor.clinical.entries import collect
from monitor.clinical.medications import medication_warnings
from monitor.clinical.patient_details import not_born_yet
from monitor.clinical.predose import predose_warnings, validate_checklist
from monitor.clinical.protocols import (
    LIMIT_KEYS,
    LIMIT_PARAMS,
    Protocol,
    ProtocolSet,
    limit_problem,
)
from monitor.clinical.rems_checks import lot_warnings
from monitor.clinical.rules.alarms import audio_pause_payload
from monitor.clinical.rules.artifacts import alarms_ended_by, flag_parameters
from monitor.clinical.rules.conditions import effective_limits
from monitor.clinical.rules.engine import evaluate
from monitor.clinical.scales import validate_assessment
from monitor.clinical.session_protocol import SNAPSHOT_KEY, protocol_in_force, snapshot
from monitor.clinical.validation import (
    PLAUSIBLE,
    SOURCES,
    below_usual,
    parse_number,
    raise_if,
    validate_choice,
    validate_nurse_id,
    validate_observed_at,
    validate_text,
    validate_vitals,
)
from monitor.clock import Clock, to_iso
from monitor.errors import (
    ConfirmationNeeded,
    FieldError,
    SessionStateError,
    ValidationError,
    WrongThread,
)
from monitor.log.eventlog import EventLog
from monitor.model.events import CLINICAL_KINDS, Event, EventKind
from monitor.model.session import TIMELINE_KINDS, AlarmState, Phase, fold
from monitor.model.vocabulary import (
    ACK_ACTIONS,
    DOSE_UNITS,
    DRUG_EVENTS,
    INDICATIONS,
    QUICK_EVENTS,
    ROUTES,
)
from monitor.record.change import Change
from monitor.sound.policy import MODES

log = logging.getLogger(__name__)
WEIGHT_CHOICE = ("say which: typing error (the first weight was wrong: every dose figure is "
                 "recomputed) or re-weigh (the mg already given stay; the rate in mg/h is "
                 "re-derived from now on)")

__all__ = ["ACK_ACTIONS", "DOSE_UNITS", "DRUG_EVENTS", "INDICATIONS", "QUICK_EVENTS", "ROUTES",
           "Change", "Recorder"]
# A set of device values, its observed time and the device that sent it.
DeviceSet = tuple[dict[str, Any], datetime, str]


Listener = Callable[[Change], None]


def _nurse(value: object, errors: list[FieldError], field: str = "nurse_id") -> str:
    return validate_nurse_id(value, errors, field)


class Recorder:
    """Records into one session; owns its folded state and rule evaluation.

    A recorder belongs to the thread that created it: only that thread records, ticks
    and is notified (a call from another thread raises WrongThread). A feed on another
    thread hands what it heard to the owner through an inbox: device messages go into
    the capture station's (monitor/devices/station.py), whose drain on the owner thread
    records each batch with ``record_device_vitals``: one transaction, one
    notification."""

    def __init__(self, store: EventLog, session_id: str, clock: Clock,
                 protocols: ProtocolSet) -> None:
        self.store = store
        self.clock = clock
        self.protocols = protocols
        self.session = fold(session_id, store.events(session_id))
        if not self.session.opening:
            raise SessionStateError(f"Session {session_id} has no opening entry")
        self.protocol: Protocol = protocol_in_force(self.session, protocols)
        self._listeners: list[Listener] = []
        self.last_evaluation = evaluate(self.session, self.protocol, clock.now())
        self.owner_thread = threading.get_ident()
        self._rebuilds_told = self.session.rebuilds

    # -- opening ---------------------------------------------------------------
    @classmethod
    def open_new(cls, store: EventLog, clock: Clock, protocols: ProtocolSet,
                 fields: dict[str, Any], session_id: str | None = None) -> Recorder:
        errors: list[FieldError] = []
        unknown = sorted(str(k) for k in fields if k not in entries.OPENING_FIELDS)
        if unknown:
            errors.append(FieldError("fields", "Opening fields", ", ".join(unknown),
                                     "only: " + ", ".join(entries.OPENING_FIELDS)))
        payload = entries.opening(fields, list(protocols.protocols), errors)
        not_born_yet(payload, clock.now().date(), errors)
        nurse = _nurse(fields.get("nurse_id"), errors)
        raise_if(errors)
        payload["nurse_id"] = nurse
        # The protocol as it is now travels with the session (limits, plan, cadence).
        payload[SNAPSHOT_KEY] = snapshot(protocols.get(payload["protocol"]))
        now = clock.now()
        sid = session_id or uuid.uuid4().hex[:12]
        store.append(sid, EventKind.SESSION_OPENED, payload,
                     author=nurse, observed_at=now, recorded_at=now)
        log.info("opened session %s (protocol %s)", sid, payload["protocol"])
        return cls(store, sid, clock, protocols)

    # -- plumbing --------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _owned(self) -> None:
        if threading.get_ident() != self.owner_thread:
            raise WrongThread(
                f"session {self.session.session_id}: its recorder belongs to another thread; "
                "hand device messages to the capture station's inbox and let the owner "
                "thread drain it")

    def _notify(self, events: list[Event]) -> None:
        rebuilt = self.session.rebuilds != self._rebuilds_told
        self._rebuilds_told = self.session.rebuilds
        change = Change(events, self.last_evaluation, rebuilt)
        for listener in list(self._listeners):
            listener(change)

    def _commit(self, items: list[tuple[EventKind, dict[str, Any], str, datetime, str]]
                ) -> list[Event]:
        """The entry and the rule decisions it causes are committed in one transaction:
        either both are on disk or neither is (and the session is folded back)."""
        self._owned()
        self._refuse_after_signing(items)
        now = self.clock.now()
        mark = len(self.session.events)
        try:
            with self.store.transaction():
                events = self.store.append_many(self.session.session_id, items,
                                                recorded_at=now)
                for ev in events:
                    self.session.apply(ev)
                events += self._apply_rules(now)
        except BaseException:
            self.session.reset_to(mark)
            self.last_evaluation = evaluate(self.session, self.protocol, now)
            raise
        self._notify(events)
        return events

    def _refuse_after_signing(self, items: list[tuple[EventKind, dict[str, Any], str,
                                                      datetime, str]]) -> None:
        """A closed, signed record takes addenda (notes) and nothing else: no readings,
        doses, corrections, limits or acknowledgements."""
        s = self.session
        if s.closed_at is None or all(kind is EventKind.NOTE for kind, *_ in items):
            return
        raise SessionStateError(
            f"Session {s.session_id} was closed and signed by {s.closed_by} at "
            f"{s.closed_at.astimezone():%H:%M}: only a note can be added now, as an addendum")

    @property
    def evaluates_rules(self) -> bool:
        """Whether this recorder's log object owns the session: only the owner appends
        alarm decisions (another writer shows the owner's, it never adds its own)."""
        sid = self.session.session_id
        writer = self.store.writer
        return bool(writer) and self.store.owner(sid) == writer

    def _apply_rules(self, now: datetime) -> list[Event]:
        evaluation = evaluate(self.session, self.protocol, now)
        decided: list[Event] = []
        if evaluation.drafts and self.evaluates_rules:
            decided = self.store.append_many(
                self.session.session_id,
                [(k, p, "system", now, "rules") for k, p in evaluation.drafts],
                recorded_at=now)
            for ev in decided:
                self.session.apply(ev)
            evaluation = evaluate(self.session, self.protocol, now)
        self.last_evaluation = evaluation
        return decided

    def tick(self) -> list[Event]:
        """Evaluate timers (overdue, escalation, pause countdown) at the clock's now."""
        self._owned()
        now = self.clock.now()
        events = self._apply_rules(now)
        self._notify(events)
        return events

    def _record(self, kind: EventKind, payload: dict[str, Any], author: str,
                observed_at: datetime, source: str = "manual") -> Event:
        return self._commit([(kind, payload, author, observed_at, source)])[0]

    def _when(self, observed_at: datetime | None, errors: list[FieldError]) -> datetime:
        return validate_observed_at(observed_at, self.clock.now(), self.session.opened_at, errors)

    def _entry(self, kind: EventKind, nurse_id: str, observed_at: datetime | None,
               build: Callable[[list[FieldError]], dict[str, Any]],
               source: str = "manual", *,
               warn: Callable[[dict[str, Any], datetime], list[str]] | None = None,
               confirmed: bool = False, retry: Callable[[], Event] | None = None,
               ask: bool = False) -> Event:
        """The common path of an entry: nurse and time are checked with the values, every
        error is reported at once, and nothing is stored unless all are valid.

        ``warn`` lists what is unusual about a valid entry; unless ``confirmed``,
        ConfirmationNeeded is raised (its ``retry`` records the entry confirmed),
        and a confirmed entry keeps the warnings it was confirmed against.

        ``ask`` (check first, ask after): a valid entry is not stored but raises
        ConfirmationNeeded, with its warnings (possibly none), so the window asks one
        question about a checked entry and records it only on the answer."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        when = self._when(observed_at, errors)
        payload = build(errors)
        if kind in TIMELINE_KINDS:
            self._check_dose_time(kind, when, errors)
        raise_if(errors)
        warnings = warn(payload, when) if warn is not None else []
        if ask and not confirmed:
            assert retry is not None, "an entry that asks must say how to record it"
            raise ConfirmationNeeded(warnings, retry)
        if warnings:
            if not confirmed:
                assert retry is not None, "an entry that can warn must say how to retry"
                raise ConfirmationNeeded(warnings, retry)
            payload = {**payload, "confirmed": warnings}
        return self._record(kind, payload, author, when, source)

    def _check_dose_time(self, kind: EventKind, when: datetime,
                         errors: list[FieldError]) -> None:
        """Dose events sit inside the infusion: not before its start, not after its stop,
        a stop after every rate change, and pauses and resumes in turn."""
        s = self.session
        start, stop = s.infusion_started_at, s.infusion_stopped_at
        allowed = None
        if kind is not EventKind.INFUSION_STARTED and start is not None and when < start:
            allowed = f"not before dosing started ({to_iso(start)})"
        elif (kind is not EventKind.BOLUS and stop is not None and when > stop):
            allowed = f"not after the infusion stopped ({to_iso(stop)})"
        elif kind is not EventKind.INFUSION_STARTED:
            after = {EventKind.INFUSION_STOPPED: TIMELINE_KINDS,
                     EventKind.INFUSION_RESUMED: (EventKind.INFUSION_PAUSED,),
                     EventKind.INFUSION_PAUSED: (EventKind.INFUSION_RESUMED,)}.get(kind, ())
            latest = max((e.observed_at for e in s.entries.values()
                          if e.kind in after and e.counts), default=None)
            if latest is not None and when < latest:
                allowed = f"not before the last dose entry it follows ({to_iso(latest)})"
        if allowed:
            errors.append(FieldError("observed_at", "Observed time", to_iso(when), allowed))

    # -- readings --------------------------------------------------------------
    def record_vitals(self, fields: dict[str, Any], nurse_id: str, *,
                      observed_at: datetime | None = None, source: str = "manual",
                      confirmed: bool = False) -> Event:
        """Record a vitals set. A nurse's set that leaves air/oxygen out carries the
        last one forward (air for the first set). Readings below the usual range
        (RR < 2, SpO2 < 50) need ``confirmed=True``; a device cannot confirm, so its
        samples are stored as sent."""
        def build(errors: list[FieldError]) -> dict[str, Any]:
            if source not in SOURCES:
                errors.append(FieldError("source", "Source", source, "manual or device"))
            payload = collect(errors, lambda: validate_vitals(fields, source))
            if payload and source != "device" and "o2" not in payload:
                last = self.session.choice("o2")
                payload["o2"] = str(last[1]) if last is not None else "air"
            return payload

        return self._entry(
            EventKind.VITALS, nurse_id, observed_at, build, source,
            warn=None if source == "device" else (lambda p, _w: below_usual(p)),
            confirmed=confirmed,
            retry=lambda: self.record_vitals(fields, nurse_id, observed_at=observed_at,
                                             source=source, confirmed=True))

    def record_device_vitals(self, sets: list[DeviceSet]) -> list[Event | ValidationError]:
        """Record device samples (fields, observed time, device as author) in one
        transaction with one notification. Each set is validated on its own: the
        valid ones are stored, the others come back as their ValidationError."""
        results: list[int | ValidationError] = []
        items: list[tuple[EventKind, dict[str, Any], str, datetime, str]] = []
        for fields, observed_at, device in sets:
            errors: list[FieldError] = []
            author = validate_text(device, "device", "Device", errors, required=True,
                                   max_len=64) or ""
            when = self._when(observed_at, errors)
            payload = entries.vitals(fields, errors, "device")
            if errors:
                results.append(ValidationError(errors))
                continue
            results.append(len(items))
            items.append((EventKind.VITALS, payload, author, when, "device"))
        events = self._commit(items) if items else []
        return [events[r] if isinstance(r, int) else r for r in results]

    def record_assessment(self, fields: dict[str, Any], nurse_id: str, *,
                          observed_at: datetime | None = None) -> Event:
        return self._entry(EventKind.ASSESSMENT, nurse_id, observed_at,
                           lambda errors: collect(errors, lambda: validate_assessment(fields)))

    # -- infusion --------------------------------------------------------------
    def _require_phase(self, *phases: Phase, action: str) -> None:
        if self.session.phase not in phases:
            raise SessionStateError(f"Cannot {action} while the session is {self.session.phase}")

    def start_infusion(self, nurse_id: str, *, rate: object = None, rate_unit: object = None,
                       concentration: object = None, dose_mg: object = None,
                       lot: object = None, observed_at: datetime | None = None,
                       confirmed: bool = False, ask: bool = False) -> Event:
        """Start dosing. Needs ``confirmed=True`` when the dose is off the protocol's
        plan, when no pre-dose BP or sedation score was recorded, when the
        pre-infusion checklist is not done or its answers need a second look, when the
        pre-dose BP is at the protocol's high limits or a HIGH BP alarm is active, or
        (REMS) when the pre-dose BP is above the label's 140/90. ``ask``: see
        ``_entry``."""
        self._require_phase(Phase.BASELINE, action="start dosing")

        fields = {"rate": rate, "rate_unit": rate_unit, "concentration_mg_ml": concentration,
                  "dose_mg": dose_mg, "lot": lot}
        return self._entry(
            EventKind.INFUSION_STARTED, nurse_id, observed_at,
            lambda errors: entries.infusion_start(fields, self.protocol.dose_mode, errors),
            warn=lambda p, when: [*predose_warnings(self.session, self.protocol, when),
                                  *self._dose_warnings(p, when),
                                  *lot_warnings(self.protocol, p)],
            confirmed=confirmed, ask=ask,
            retry=lambda: self.start_infusion(
                nurse_id, rate=rate, rate_unit=rate_unit, concentration=concentration,
                dose_mg=dose_mg, lot=lot, observed_at=observed_at, confirmed=True))

    def _dose_warnings(self, payload: dict[str, Any], when: datetime) -> list[str]:
        return entry_warnings(self.session, self.protocol, rate=payload.get("rate"),
                              unit=payload.get("rate_unit"),
                              concentration=payload.get("concentration_mg_ml"),
                              bolus_mg=payload.get("dose_mg"), when=when)

    def change_rate(self, nurse_id: str, rate: object, rate_unit: object, *,
                    concentration: object = None, observed_at: datetime | None = None,
                    confirmed: bool = False, ask: bool = False) -> Event:
        """Change the rate; a rate off the plan needs ``confirmed=True``. A rate in mL/h
        needs the syringe's ``concentration`` (mg/mL), kept with it."""
        self._require_phase(Phase.INFUSING, action="change the rate")
        fields = {"rate": rate, "rate_unit": rate_unit, "concentration_mg_ml": concentration}
        return self._entry(
            EventKind.RATE_CHANGED, nurse_id, observed_at,
            lambda errors: entries.rate(fields, errors, self.session.concentration),
            warn=self._dose_warnings, confirmed=confirmed, ask=ask,
            retry=lambda: self.change_rate(nurse_id, rate, rate_unit,
                                           concentration=concentration,
                                           observed_at=observed_at, confirmed=True))

    def pause_infusion(self, nurse_id: str, reason: object, *,
                       observed_at: datetime | None = None, ask: bool = False) -> Event:
        self._require_phase(Phase.INFUSING, action="pause")
        if self.session.paused:
            raise SessionStateError("The infusion is already paused")
        return self._entry(EventKind.INFUSION_PAUSED, nurse_id, observed_at,
                           lambda errors: entries.pause({"reason": reason}, errors), ask=ask,
                           retry=lambda: self.pause_infusion(nurse_id, reason,
                                                             observed_at=observed_at))

    def resume_infusion(self, nurse_id: str, *, observed_at: datetime | None = None,
                        ask: bool = False) -> Event:
        self._require_phase(Phase.INFUSING, action="resume")
        if not self.session.paused:
            raise SessionStateError("The infusion is not paused")
        return self._entry(EventKind.INFUSION_RESUMED, nurse_id, observed_at, lambda _e: {},
                           ask=ask, retry=lambda: self.resume_infusion(
                               nurse_id, observed_at=observed_at))

    def give_bolus(self, nurse_id: str, dose_mg: object, *,
                   observed_at: datetime | None = None, confirmed: bool = False,
                   ask: bool = False) -> Event:
        """Give a bolus; a total past the plan, or a bolus above the low-dose ceiling,
        needs ``confirmed=True``."""
        self._require_phase(Phase.INFUSING, Phase.RECOVERY, action="give a bolus")
        return self._entry(
            EventKind.BOLUS, nurse_id, observed_at,
            lambda errors: entries.bolus({"dose_mg": dose_mg}, errors),
            warn=self._dose_warnings, confirmed=confirmed, ask=ask,
            retry=lambda: self.give_bolus(nurse_id, dose_mg, observed_at=observed_at,
                                          confirmed=True))

    def stop_infusion(self, nurse_id: str, *, observed_at: datetime | None = None,
                      ask: bool = False) -> Event:
        self._require_phase(Phase.INFUSING, action="stop the infusion")
        return self._entry(EventKind.INFUSION_STOPPED, nurse_id, observed_at, lambda _e: {},
                           ask=ask, retry=lambda: self.stop_infusion(
                               nurse_id, observed_at=observed_at))

    # -- events and notes ------------------------------------------------------
    def give_medication(self, nurse_id: str, drug: object, dose: object, unit: object,
                        route: object, reason: object = None, *,
                        observed_at: datetime | None = None, confirmed: bool = False
                        ) -> Event:
        """A medication; a dose above the clinic's usual range for the drug and route
        needs ``confirmed=True`` (far above it is refused: monitor/clinical/medications.py)."""
        fields = {"drug": drug, "dose": dose, "unit": unit, "route": route, "reason": reason}
        return self._entry(
            EventKind.MEDICATION, nurse_id, observed_at,
            lambda errors: entries.medication(fields, errors),
            warn=lambda p, _w: medication_warnings(p), confirmed=confirmed,
            retry=lambda: self.give_medication(nurse_id, drug, dose, unit, route, reason,
                                               observed_at=observed_at, confirmed=True))

    def quick_event(self, nurse_id: str, code: str, *, dose: object = None,
                    unit: object = None, observed_at: datetime | None = None) -> Event:
        fields = {"code": code, "dose": dose, "unit": unit}
        return self._entry(EventKind.QUICK_EVENT, nurse_id, observed_at,
                           lambda errors: entries.quick_event(fields, errors))

    def record_checklist(self, nurse_id: str, answers: dict[str, Any], *,
                         observed_at: datetime | None = None) -> Event:
        """The pre-infusion checklist: every item the clinic chose, answered yes or no."""
        return self._entry(EventKind.CHECKLIST, nurse_id, observed_at, lambda errors: {
            "answers": validate_checklist(self.protocol, answers, errors)})

    def record_outcome(self, fields: dict[str, Any], nurse_id: str, *,
                       observed_at: datetime | None = None) -> Event:
        """Outcome measures of this session (monitor.clinical.outcomes): totals only."""
        return self._entry(EventKind.OUTCOME, nurse_id, observed_at, lambda errors: collect(
            errors, lambda: entries.clinical(EventKind.OUTCOME, fields)))

    def add_note(self, nurse_id: str, text: object, *,
                 observed_at: datetime | None = None) -> Event:
        return self._entry(EventKind.NOTE, nurse_id, observed_at,
                           lambda errors: entries.note({"text": text}, errors))

    # -- corrections -----------------------------------------------------------
    def _target(self, seq: int, errors: list[FieldError]) -> Any:
        entry = self.session.entries.get(seq)
        if entry is None or (entry.kind not in CLINICAL_KINDS
                             and entry.kind is not EventKind.SESSION_OPENED):
            errors.append(FieldError("target", "Entry", str(seq), "an existing entry"))
            return None
        if entry.struck:
            errors.append(FieldError("target", "Entry", entry.event.entry_id,
                                     "an entry that is not struck"))
        return entry

    def amend(self, nurse_id: str, seq: int, values: dict[str, Any], reason: object, *,
              weight_change: object = None) -> Event:
        """Amend an entry. The opening's weight, once dosing has started, is amended only
        as a typing error (``weight_change="typing error"``: every dose figure is
        recomputed); a re-weigh is ``change_weight(..., "re-weigh")``."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        entry = self._target(seq, errors)
        why = validate_text(reason, "reason", "Reason for amendment", errors, required=True)
        new: dict[str, Any] = {}
        if entry is not None:
            new = collect(errors, lambda: self._revalidate(entry, values))
            if (entry.kind is EventKind.SESSION_OPENED and "weight_kg" in new
                    and new["weight_kg"] != entry.payload.get("weight_kg")
                    and self.session.infusion_started_at is not None
                    and weight_change != "typing error"):
                errors.append(FieldError("weight_change", "Weight changed after dosing",
                                         str(weight_change or ""), WEIGHT_CHOICE))
        raise_if(errors)
        payload = {"target_seq": seq, "old": entry.payload, "values": new, "reason": why}
        event = self._record(EventKind.AMENDED, payload, author, self.clock.now())
        if entry.kind is EventKind.SESSION_OPENED:
            self.protocol = protocol_in_force(self.session, self.protocols)
        return event

    def _revalidate(self, entry: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The amended entry as a whole goes through the validator of its own kind."""
        if not isinstance(values, dict):
            raise ValidationError([FieldError("values", "Amendment", str(values)[:30],
                                              "changed fields with their new values")])
        merged = {**entry.payload, **values}
        if entry.kind is not EventKind.SESSION_OPENED:
            return entries.clinical(entry.kind, merged, source=entry.event.source,
                                    protocol=self.protocol)
        errors: list[FieldError] = []
        if SNAPSHOT_KEY in values:
            errors.append(FieldError(SNAPSHOT_KEY, "Protocol copy", "(changed)",
                                     "recorded by the program, not typed"))
        changed = merged.get("protocol") != entry.payload.get("protocol")
        if changed and self.session.phase != Phase.BASELINE:
            errors.append(FieldError("protocol", "Protocol", str(merged.get("protocol")),
                                     "the protocol can only be changed before dosing starts"))
        raise_if(errors)
        merged.pop(SNAPSHOT_KEY, None)
        nurse = merged.pop("nurse_id", None)
        clean = entries.clinical(entry.kind, merged, protocol_ids=list(self.protocols.protocols))
        clean["nurse_id"] = _nurse(nurse, errors)
        raise_if(errors)
        if changed or SNAPSHOT_KEY in entry.payload:
            clean[SNAPSHOT_KEY] = (snapshot(self.protocols.get(clean["protocol"])) if changed
                                   else entry.payload[SNAPSHOT_KEY])
        return clean

    def change_weight(self, nurse_id: str, weight_kg: object, how: object,
                      reason: object = None, *, observed_at: datetime | None = None
                      ) -> Event:
        """A new weight. "typing error": the opening's weight is amended and every dose
        figure recomputed. "re-weigh": a weight entry at its time; the mg already given
        stay and a rate per kg is re-derived in mg/h from then on."""
        if how == "typing error":
            opening = next(e for e in self.session.entry_list
                           if e.kind is EventKind.SESSION_OPENED)
            return self.amend(nurse_id, opening.seq, {"weight_kg": weight_kg},
                              reason or "typing error in the weight", weight_change=how)
        if how != "re-weigh":
            raise ValidationError([FieldError("weight_change", "Weight change", str(how or ""),
                                              WEIGHT_CHOICE)])
        return self._entry(EventKind.WEIGHED, nurse_id, observed_at,
                           lambda errors: entries.weighed({"weight_kg": weight_kg}, errors))

    def strike(self, nurse_id: str, seq: int, reason: object) -> Event:
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        entry = self._target(seq, errors)
        if entry is not None and entry.kind is EventKind.SESSION_OPENED:
            errors.append(FieldError("target", "Entry", entry.event.entry_id,
                                     "the opening entry can be amended, not struck"))
        why = validate_text(reason, "reason", "Reason for striking", errors, required=True)
        raise_if(errors)
        return self._record(EventKind.STRUCK, {"target_seq": seq, "reason": why}, author,
                            self.clock.now())

    def flag_artifact(self, nurse_id: str, seq: int, reason: object,
                      parameters: object = None) -> Event:
        """Flag values of a reading as artifact: ``parameters`` names them (a bad cuff
        reading is ``["sbp", "dbp", "map"]``; None flags every value of the entry).
        The flagged values stay in the record and take no part in alarms and scores;
        the alarms resting on them end (``alarms_ended_by`` says which, beforehand)."""
        author, payload = self.check_flag(nurse_id, seq, reason, parameters)
        return self._record(EventKind.ARTIFACT, payload, author, self.clock.now())

    def check_flag(self, nurse_id: str, seq: int, reason: object,
                   parameters: object = None) -> tuple[str, dict[str, Any]]:
        """Validate an artifact flag without recording it (the window asks for a
        confirmation only about a valid one): (author, payload), or ValidationError."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        entry = self._target(seq, errors)
        names: list[str] = []
        if entry is not None and entry.kind not in (EventKind.VITALS, EventKind.ASSESSMENT):
            errors.append(FieldError("target", "Entry", entry.event.entry_id,
                                     "a vitals or assessment entry"))
        elif entry is not None and not entry.struck:
            names = flag_parameters(entry, parameters, errors)
        why = validate_text(reason, "reason", "Reason for artifact", errors, required=True)
        raise_if(errors)
        return author, {"target_seq": seq, "parameters": names, "reason": why}

    def alarms_ended_by(self, seq: int, parameters: list[str]) -> list[AlarmState]:
        """The active alarms that flagging ``parameters`` of entry ``seq`` would end."""
        return alarms_ended_by(self.session, seq, parameters)

    def change_limit(self, nurse_id: str, limit: str, new: object, reason: object) -> Event:
        """Change one limit for this session. Refused when the limits that would result
        could silently disable or invert an alarm (same checks as a site file)."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        param, _, which = limit.partition(".")
        known = param in LIMIT_PARAMS and which in LIMIT_KEYS
        if not known:
            errors.append(FieldError("limit", "Limit", limit,
                                     "parameter.tier_side, e.g. sbp.high_high"))
        value = None
        if new not in (None, ""):
            value = parse_number(new, param if param in PLAUSIBLE else "med_dose", errors)  # type: ignore[arg-type]
        why = validate_text(reason, "reason", "Reason for the change", errors, required=True)
        if known and not any(e.field in (param, "med_dose") for e in errors):
            current = effective_limits(self.session, self.protocol, param)
            after = {k: v for k, v in {**current, which: value}.items() if v is not None}
            problem = limit_problem(param, after)
            if problem:
                errors.append(FieldError("new", f"New {limit}", str(new),
                                         f"refused: {problem}"))
        raise_if(errors)
        old = effective_limits(self.session, self.protocol, param).get(which)
        return self._record(EventKind.LIMIT_CHANGED,
                            {"limit": limit, "old": old, "new": value, "reason": why},
                            author, self.clock.now())

    # -- alarms ----------------------------------------------------------------
    def acknowledge(self, nurse_id: str, alarm_id: int, action: object,
                    comment: object = None) -> Event:
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        alarm = self.session.alarms.get(alarm_id)
        if alarm is None or not alarm.active:
            errors.append(FieldError("alarm", "Alarm", str(alarm_id), "an active alarm"))
        elif alarm.acknowledged:
            errors.append(FieldError("alarm", "Alarm", alarm.message, "not yet acknowledged"))
        act = validate_choice(action, "action", "Action taken", ACK_ACTIONS, errors)
        if act is None and not any(e.field == "action" for e in errors):
            errors.append(FieldError("action", "Action taken", "",
                                     "one of: " + ", ".join(ACK_ACTIONS)))
        note = validate_text(comment, "comment", "Comment", errors, max_len=500)
        raise_if(errors)
        payload = {"alarm_id": alarm_id, "action": act}
        if note:
            payload["comment"] = note
        return self._record(EventKind.ALARM_ACKNOWLEDGED, payload, author, self.clock.now())

    def change_sound_mode(self, nurse_id: str, mode: object, reason: object) -> Event:
        """The bedside sound setting (full, quiet, high only), with a reason, in the log."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        if mode not in MODES:
            errors.append(FieldError("sound_mode", "Bedside sound", str(mode or ""),
                                     "one of: " + ", ".join(MODES)))
        elif mode == self.session.sound_mode:
            errors.append(FieldError("sound_mode", "Bedside sound", str(mode),
                                     "a setting other than the current one"))
        why = validate_text(reason, "reason", "Reason for the change", errors, required=True)
        raise_if(errors)
        return self._record(EventKind.SOUND_MODE_CHANGED,
                            {"old": self.session.sound_mode, "new": mode, "reason": why},
                            author, self.clock.now())

    def pause_audio(self, nurse_id: str) -> Event:
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        raise_if(errors)
        now = self.clock.now()
        payload = audio_pause_payload(self.session, self.protocol, now)
        return self._record(EventKind.AUDIO_PAUSED, payload, author, now)

    # -- ending ----------------------------------------------------------------
    def discharge(self, nurse_id: str, checklist: dict[str, Any], *,
                  confirmed: tuple[str, ...] = ()) -> Event:
        """Discharge. With any check unmet the checklist names a prescriber's decision or
        "left against advice", and ConfirmationNeeded lists every unmet item until
        ``confirmed`` is exactly that list, as shown (its ``retry`` passes it): any
        difference since the question (a new alarm, a worse value) asks again."""
        author, payload = self.check_discharge(nurse_id, checklist)
        lines = unmet_lines(payload["checks"])
        if lines and tuple(lines) != tuple(confirmed):
            raise ConfirmationNeeded(lines, lambda: self.discharge(nurse_id, checklist,
                                                                   confirmed=tuple(lines)))
        if lines:
            payload["confirmed_unmet"] = lines
        return self._record(EventKind.DISCHARGED, payload, author, self.clock.now())

    def check_discharge(self, nurse_id: str,
                        checklist: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """What ``discharge`` would refuse, refused now and nothing stored: the author
        and the payload. The window re-checks a refusal it shows as the nurse fills the
        panel, so the refusal says what is still missing, never what was."""
        self._require_phase(Phase.RECOVERY, action="discharge")
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        payload = validate_discharge(self.session, self.protocol, self.clock.now(), checklist,
                                     errors)
        raise_if(errors)
        return author, payload

    def check_close(self, nurse_id: str) -> str:
        """What ``close`` would refuse, refused now (check first, ask after): the
        signing nurse's ID as it will be stored."""
        self._require_phase(Phase.DISCHARGED, action="close and sign")
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        raise_if(errors)
        return author

    def close(self, nurse_id: str) -> Event:
        author = self.check_close(nurse_id)
        return self._record(EventKind.CLOSED, {"signed_by": author}, author, self.clock.now())
