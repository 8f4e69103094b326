"""The session recorder: the single path from a nurse's (or device's) input
to the log. Validate → append and commit → fold → evaluate rules (their
decisions are appended too) → notify plain-Python subscribers.

Nothing is stored when validation fails, and subscribers hear of an entry
only after it is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from monitor.clock import Clock
from monitor.errors import FieldError, SessionStateError, ValidationError
from monitor.events import CLINICAL_KINDS, Event, EventKind
from monitor.protocols import Protocol, ProtocolSet
from monitor.rules.alarms import audio_pause_payload
from monitor.rules.engine import Evaluation, evaluate
from monitor.scales import validate_assessment
from monitor.session import Phase, fold
from monitor.store import Store
from monitor.validation import (
    PLAUSIBLE,
    SOURCES,
    parse_number,
    parse_optional,
    raise_if,
    validate_choice,
    validate_observed_at,
    validate_text,
    validate_vitals,
)

log = logging.getLogger(__name__)

INDICATIONS = ("CRPS", "fibromyalgia", "neuropathic pain", "depression", "other")
QUICK_EVENTS: dict[str, str] = {
    "nausea": "Nausea", "vomiting": "Vomiting", "anxiety": "Anxiety",
    "emergence": "Emergence reaction", "antiemetic": "Antiemetic given",
    "benzodiazepine": "Benzodiazepine given", "antihypertensive": "Antihypertensive given",
    "eye_mask_on": "Eye mask on", "eye_mask_off": "Eye mask off", "music_on": "Music on",
    "music_off": "Music off", "responds_to_voice": "Responds to voice",
}
DRUG_EVENTS = ("antiemetic", "benzodiazepine", "antihypertensive")
ACK_ACTIONS = ("re-measured", "infusion slowed", "infusion paused", "medication given",
               "patient reassured", "physician informed", "artifact", "no action needed")
ROUTES = ("IV", "PO", "IM", "SC", "SL", "intranasal", "inhaled")
DISCHARGE_ITEMS = ("vitals_in_band", "sedation_at_baseline", "no_active_alarm",
                   "min_observation_met", "escort_present", "no_driving_advice")

DOSE_UNITS = ("mg", "mcg", "g", "mL", "units")
Listener = Callable[[list[Event], Evaluation], None]


def _collect(errors: list[FieldError], validate: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a validator, adding its field errors to ``errors`` instead of raising."""
    try:
        return validate()
    except ValidationError as exc:
        errors.extend(exc.errors)
        return {}


def _nurse(value: object, errors: list[FieldError], field: str = "nurse_id") -> str:
    text = validate_text(value, field, "Nurse ID", errors, required=True, max_len=40)
    return text or ""


class Recorder:
    """Records into one session; owns its folded state and rule evaluation."""

    def __init__(self, store: Store, session_id: str, clock: Clock,
                 protocols: ProtocolSet) -> None:
        self.store = store
        self.clock = clock
        self.protocols = protocols
        self.session = fold(session_id, store.events(session_id))
        if not self.session.opening:
            raise SessionStateError(f"Session {session_id} has no opening entry")
        self.protocol: Protocol = protocols.get(self.session.protocol_id)
        self._listeners: list[Listener] = []
        self.last_evaluation = evaluate(self.session, self.protocol, clock.now())

    # -- opening ---------------------------------------------------------------
    @classmethod
    def open_new(cls, store: Store, clock: Clock, protocols: ProtocolSet,
                 fields: dict[str, Any], session_id: str | None = None) -> Recorder:
        errors: list[FieldError] = []
        patient = validate_text(fields.get("patient_id"), "patient_id",
                                "Patient identifier (MRN or pseudonym)", errors,
                                required=True, max_len=64)
        name = validate_text(fields.get("display_name"), "display_name", "Display name",
                             errors, max_len=100)
        weight = parse_number(fields.get("weight_kg", ""), "weight", errors)  # type: ignore[arg-type]
        indication = validate_choice(fields.get("indication"), "indication", "Indication",
                                     INDICATIONS, errors)
        if indication is None and not any(e.field == "indication" for e in errors):
            errors.append(FieldError("indication", "Indication", "",
                                     "one of: " + ", ".join(INDICATIONS)))
        other = validate_text(fields.get("indication_text"), "indication_text",
                              "Indication (other)", errors, max_len=200)
        if indication == "other" and not other:
            errors.append(FieldError("indication_text", "Indication (other)", "",
                                     "describe the indication"))
        proto_id = str(fields.get("protocol") or "")
        if proto_id not in protocols.protocols:
            errors.append(FieldError("protocol", "Protocol", proto_id,
                                     "one of: " + ", ".join(sorted(protocols.protocols))))
        nurse = _nurse(fields.get("nurse_id"), errors)
        raise_if(errors)
        payload = {"patient_id": patient, "display_name": name, "weight_kg": weight,
                   "indication": indication, "indication_text": other, "protocol": proto_id,
                   "nurse_id": nurse}
        import uuid  # only here: new sessions are rare, start-up is not
        now = clock.now()
        sid = session_id or uuid.uuid4().hex[:12]
        store.append(sid, EventKind.SESSION_OPENED,
                     {k: v for k, v in payload.items() if v is not None},
                     author=nurse, observed_at=now, recorded_at=now)
        log.info("opened session %s (protocol %s)", sid, proto_id)
        return cls(store, sid, clock, protocols)

    # -- plumbing --------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _commit(self, items: list[tuple[EventKind, dict[str, Any], str, datetime, str]]
                ) -> list[Event]:
        now = self.clock.now()
        events = self.store.append_many(self.session.session_id, items, recorded_at=now)
        for ev in events:
            self.session.apply(ev)
        events += self._apply_rules(now)
        for listener in list(self._listeners):
            listener(events, self.last_evaluation)
        return events

    def _apply_rules(self, now: datetime) -> list[Event]:
        evaluation = evaluate(self.session, self.protocol, now)
        decided: list[Event] = []
        if evaluation.drafts:
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
        now = self.clock.now()
        events = self._apply_rules(now)
        for listener in list(self._listeners):
            listener(events, self.last_evaluation)
        return events

    def _record(self, kind: EventKind, payload: dict[str, Any], author: str,
                observed_at: datetime, source: str = "manual") -> Event:
        return self._commit([(kind, payload, author, observed_at, source)])[0]

    def _when(self, observed_at: datetime | None, errors: list[FieldError]) -> datetime:
        return validate_observed_at(observed_at, self.clock.now(), self.session.opened_at, errors)

    def _entry(self, kind: EventKind, nurse_id: str, observed_at: datetime | None,
               build: Callable[[list[FieldError]], dict[str, Any]],
               source: str = "manual") -> Event:
        """The common path of an entry: nurse and time are checked with the values, every
        error is reported at once, and nothing is stored unless all are valid."""
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        when = self._when(observed_at, errors)
        payload = build(errors)
        raise_if(errors)
        return self._record(kind, payload, author, when, source)

    # -- readings --------------------------------------------------------------
    def record_vitals(self, fields: dict[str, Any], nurse_id: str, *,
                      observed_at: datetime | None = None, source: str = "manual") -> Event:
        def build(errors: list[FieldError]) -> dict[str, Any]:
            if source not in SOURCES:
                errors.append(FieldError("source", "Source", source, "manual or device"))
            return _collect(errors, lambda: validate_vitals(fields, source))

        return self._entry(EventKind.VITALS, nurse_id, observed_at, build, source)

    def record_assessment(self, fields: dict[str, Any], nurse_id: str, *,
                          observed_at: datetime | None = None) -> Event:
        return self._entry(EventKind.ASSESSMENT, nurse_id, observed_at,
                           lambda errors: _collect(errors, lambda: validate_assessment(fields)))

    # -- infusion --------------------------------------------------------------
    def _rate(self, rate: object, unit: object, errors: list[FieldError]) -> dict[str, Any]:
        if unit not in ("mg/kg/h", "mg/h"):
            errors.append(FieldError("rate_unit", "Rate unit", str(unit), "mg/kg/h or mg/h"))
            return {}
        field = "rate_mg_kg_h" if unit == "mg/kg/h" else "rate_mg_h"
        value = parse_number(rate, field, errors)  # type: ignore[arg-type]
        return {} if value is None else {"rate": value, "rate_unit": unit}

    def _require_phase(self, *phases: str, action: str) -> None:
        if self.session.phase not in phases:
            raise SessionStateError(f"Cannot {action} while the session is {self.session.phase}")

    def start_infusion(self, nurse_id: str, *, rate: object = None, rate_unit: object = None,
                       concentration: object = None, dose_mg: object = None,
                       lot: object = None, observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.BASELINE, action="start dosing")

        def build(errors: list[FieldError]) -> dict[str, Any]:
            payload: dict[str, Any]
            if self.protocol.dose_mode == "single":
                dose = parse_number("" if dose_mg is None else dose_mg, "bolus_mg", errors)  # type: ignore[arg-type]
                payload = {"mode": "single", "dose_mg": dose, "route": "intranasal"}
            else:
                payload = {"mode": "infusion", **self._rate(rate, rate_unit, errors)}
                conc = parse_optional(concentration, "concentration", errors)
                if conc is not None:
                    payload["concentration_mg_ml"] = conc
            lot_text = validate_text(lot, "lot", "Lot", errors, max_len=40)
            if lot_text:
                payload["lot"] = lot_text
            return payload

        return self._entry(EventKind.INFUSION_STARTED, nurse_id, observed_at, build)

    def change_rate(self, nurse_id: str, rate: object, rate_unit: object, *,
                    observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.INFUSING, action="change the rate")
        return self._entry(EventKind.RATE_CHANGED, nurse_id, observed_at,
                           lambda errors: self._rate(rate, rate_unit, errors))

    def pause_infusion(self, nurse_id: str, reason: object, *,
                       observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.INFUSING, action="pause")
        if self.session.paused:
            raise SessionStateError("The infusion is already paused")
        return self._entry(EventKind.INFUSION_PAUSED, nurse_id, observed_at, lambda errors: {
            "reason": validate_text(reason, "reason", "Pause reason", errors, required=True)})

    def resume_infusion(self, nurse_id: str, *, observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.INFUSING, action="resume")
        if not self.session.paused:
            raise SessionStateError("The infusion is not paused")
        return self._entry(EventKind.INFUSION_RESUMED, nurse_id, observed_at, lambda _e: {})

    def give_bolus(self, nurse_id: str, dose_mg: object, *,
                   observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.INFUSING, Phase.RECOVERY, action="give a bolus")
        return self._entry(EventKind.BOLUS, nurse_id, observed_at, lambda errors: {
            "dose_mg": parse_number("" if dose_mg is None else dose_mg, "bolus_mg", errors)})  # type: ignore[arg-type]

    def stop_infusion(self, nurse_id: str, *, observed_at: datetime | None = None) -> Event:
        self._require_phase(Phase.INFUSING, action="stop the infusion")
        return self._entry(EventKind.INFUSION_STOPPED, nurse_id, observed_at, lambda _e: {})

    # -- events and notes ------------------------------------------------------
    def give_medication(self, nurse_id: str, drug: object, dose: object, unit: object,
                        route: object, reason: object = None, *,
                        observed_at: datetime | None = None) -> Event:
        def build(errors: list[FieldError]) -> dict[str, Any]:
            drug_t = validate_text(drug, "drug", "Drug", errors, required=True, max_len=80)
            dose_v = parse_number("" if dose is None else dose, "med_dose", errors)  # type: ignore[arg-type]
            unit_v = validate_choice(unit, "unit", "Unit", DOSE_UNITS, errors)
            if unit_v is None and not any(e.field == "unit" for e in errors):
                errors.append(FieldError("unit", "Unit", "", "mg, mcg, g, mL or units"))
            route_v = validate_choice(route, "route", "Route", ROUTES, errors) or "IV"
            reason_t = validate_text(reason, "reason", "Reason", errors, max_len=200)
            payload = {"drug": drug_t, "dose": dose_v, "unit": unit_v, "route": route_v}
            if reason_t:
                payload["reason"] = reason_t
            return payload

        return self._entry(EventKind.MEDICATION, nurse_id, observed_at, build)

    def quick_event(self, nurse_id: str, code: str, *, dose: object = None,
                    unit: object = None, observed_at: datetime | None = None) -> Event:
        def build(errors: list[FieldError]) -> dict[str, Any]:
            if code not in QUICK_EVENTS:
                errors.append(FieldError("code", "Quick event", code,
                                         "one of: " + ", ".join(QUICK_EVENTS)))
            payload: dict[str, Any] = {"code": code, "label": QUICK_EVENTS.get(code, code)}
            dose_v = parse_optional(dose, "med_dose", errors)
            if dose_v is not None:
                if code not in DRUG_EVENTS:
                    errors.append(FieldError("dose", "Dose", str(dose), "only for drug events"))
                payload["dose"] = dose_v
                payload["unit"] = validate_choice(unit or "mg", "unit", "Unit", DOSE_UNITS, errors)
            return payload

        return self._entry(EventKind.QUICK_EVENT, nurse_id, observed_at, build)

    def record_outcome(self, fields: dict[str, Any], nurse_id: str, *,
                       observed_at: datetime | None = None) -> Event:
        """Outcome measures of this session (monitor.outcomes): totals only."""
        from monitor.outcomes import validate_outcomes
        return self._entry(EventKind.OUTCOME, nurse_id, observed_at,
                           lambda errors: _collect(errors, lambda: validate_outcomes(fields)))

    def add_note(self, nurse_id: str, text: object, *,
                 observed_at: datetime | None = None) -> Event:
        return self._entry(EventKind.NOTE, nurse_id, observed_at, lambda errors: {
            "text": validate_text(text, "text", "Note", errors, required=True)})

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

    def amend(self, nurse_id: str, seq: int, values: dict[str, Any], reason: object) -> Event:
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        entry = self._target(seq, errors)
        why = validate_text(reason, "reason", "Reason for amendment", errors, required=True)
        new: dict[str, Any] = {}
        if entry is not None:
            try:
                new = self._revalidate(entry.kind, {**entry.payload, **values},
                                       entry.event.source)
            except ValidationError as exc:
                errors.extend(exc.errors)
        raise_if(errors)
        payload = {"target_seq": seq, "old": entry.payload, "values": new, "reason": why}
        return self._record(EventKind.AMENDED, payload, author, self.clock.now())

    def _revalidate(self, kind: EventKind, merged: dict[str, Any],
                    source: str = "manual") -> dict[str, Any]:
        if kind is EventKind.VITALS:
            if not merged.get("map_measured"):
                merged.pop("map", None)
            merged.pop("map_measured", None)
            return validate_vitals(merged, source)
        if kind is EventKind.ASSESSMENT:
            merged.pop("cadss6_total", None)
            return validate_assessment(merged)
        if kind is EventKind.OUTCOME:
            from monitor.outcomes import validate_outcomes
            return validate_outcomes(merged)
        errors: list[FieldError] = []
        for key, field in (("rate", None), ("dose_mg", "bolus_mg"), ("weight_kg", "weight")):
            if key in merged:
                if key == "rate":
                    field = "rate_mg_kg_h" if merged.get("rate_unit") == "mg/kg/h" else "rate_mg_h"
                merged[key] = parse_number(merged[key], field, errors)  # type: ignore[arg-type]
        raise_if(errors)
        return merged

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

    def flag_artifact(self, nurse_id: str, seq: int, reason: object) -> Event:
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        entry = self._target(seq, errors)
        if entry is not None and entry.kind not in (EventKind.VITALS, EventKind.ASSESSMENT):
            errors.append(FieldError("target", "Entry", entry.event.entry_id,
                                     "a vitals or assessment entry"))
        why = validate_text(reason, "reason", "Reason for artifact", errors, required=True)
        raise_if(errors)
        return self._record(EventKind.ARTIFACT, {"target_seq": seq, "reason": why}, author,
                            self.clock.now())

    def change_limit(self, nurse_id: str, limit: str, new: object, reason: object) -> Event:
        from monitor.protocols import LIMIT_KEYS, LIMIT_PARAMS
        from monitor.rules.conditions import effective_limits
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        param, _, which = limit.partition(".")
        if param not in LIMIT_PARAMS or which not in LIMIT_KEYS:
            errors.append(FieldError("limit", "Limit", limit,
                                     "parameter.tier_side, e.g. sbp.high_high"))
        value = None
        if new not in (None, ""):
            value = parse_number(new, param if param in PLAUSIBLE else "med_dose", errors)  # type: ignore[arg-type]
        why = validate_text(reason, "reason", "Reason for the change", errors, required=True)
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
        from monitor.sound.policy import MODES
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
    def discharge(self, nurse_id: str, checklist: dict[str, Any]) -> Event:
        self._require_phase(Phase.RECOVERY, action="discharge")
        from monitor.discharge import validate_discharge
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        payload = validate_discharge(self, checklist, errors)
        raise_if(errors)
        return self._record(EventKind.DISCHARGED, payload, author, self.clock.now())

    def close(self, nurse_id: str) -> Event:
        self._require_phase(Phase.DISCHARGED, action="close and sign")
        errors: list[FieldError] = []
        author = _nurse(nurse_id, errors)
        raise_if(errors)
        return self._record(EventKind.CLOSED, {"signed_by": author}, author, self.clock.now())
