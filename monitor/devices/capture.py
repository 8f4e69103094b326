"""The owner's side of device capture: which device records into which
session, and the drain that turns delivered messages into device entries.

Everything here runs on the thread that owns the recorders (the window's
GUI thread or the command line's main thread). A device that is not bound
is heard and shown in the diagnostics, but never recorded into a session.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.clinical.validation import MAX_FUTURE
from monitor.devices.corrections import apply_correction
from monitor.devices.delivery import Delivery, Outcome
from monitor.devices.diagnostics import Diagnostics
from monitor.devices.pcd01 import Sample
from monitor.devices.stored import already_recorded, device_value, patient_mismatch
from monitor.errors import MonitorError, ValidationError
from monitor.model.events import Event
from monitor.model.parameters import fmt, label
from monitor.model.session import Session
from monitor.record.inbox import Inbox
from monitor.record.recorder import Recorder

log = logging.getLogger(__name__)
SEEN_PER_BINDING = 4096   # recent (parameter, time, value) keys kept to skip repeats
Key = tuple[str, datetime, float]


@dataclass
class _Set:
    delivery: Delivery
    fields: dict[str, float]
    observed_at: datetime
    keys: list[Key]
    as_sent: dict[str, str]


class Capture:
    """Bindings from device id to the recorder of an open session, and the drain."""

    def __init__(self, inbox: Inbox[Delivery], diagnostics: Diagnostics) -> None:
        self.inbox = inbox
        self.diagnostics = diagnostics
        self.bindings: dict[str, Recorder] = {}
        self._seen: dict[tuple[str, str], OrderedDict[Key, None]] = {}

    # -- binding -----------------------------------------------------------------
    def bind(self, device_id: str, recorder: Recorder) -> None:
        if recorder.session.locked:
            raise MonitorError(f"Session {recorder.session.session_id} is closed: "
                               "a device cannot be bound to it")
        other = self.bindings.get(device_id)
        if other is not None and other is not recorder:
            raise MonitorError(f"Device {device_id} is already bound to session "
                               f"{other.session.session_id}; unbind it first")
        self.bindings[device_id] = recorder
        log.info("device %s bound to session %s", device_id, recorder.session.session_id)

    def unbind(self, device_id: str) -> None:
        recorder = self.bindings.pop(device_id, None)
        if recorder is not None:
            self._seen.pop((device_id, recorder.session.session_id), None)
            log.info("device %s unbound from session %s", device_id,
                     recorder.session.session_id)

    def bound_devices(self, recorder: Recorder) -> list[str]:
        return [d for d, r in self.bindings.items() if r is recorder]

    # -- draining ----------------------------------------------------------------
    def drain(self, limit: int | None = None) -> int:
        """Record every queued message: one transaction and one notification per
        session for the whole batch. Returns the number of messages handled."""
        batch = [d for d in self.inbox.drain(limit) if d.claim()]
        groups: dict[int, tuple[Recorder, list[_Set]]] = {}
        problems: dict[int, list[str]] = {id(d): list(d.parsed.problems) for d in batch}
        recorded: dict[int, int] = dict.fromkeys(problems, 0)
        notes: dict[int, str] = {}
        pending: set[tuple[str, str, Key]] = set()   # keys of this batch, not yet stored
        corrections: list[tuple[Recorder, Delivery, Sample]] = []
        for d in batch:
            recorder = self.bindings.get(d.parsed.device_id)
            if recorder is None:
                notes[id(d)] = (f"device {d.parsed.device_id} is not bound to a session: "
                                "nothing recorded")
                continue
            wrong_patient = patient_mismatch(recorder.session, d.parsed.patient_id)
            if wrong_patient:
                problems[id(d)].append(wrong_patient)
                continue
            sets = self._sets(d, recorder, problems[id(d)], pending)
            groups.setdefault(id(recorder), (recorder, []))[1].extend(sets)
            corrections += [(recorder, d, s) for s in d.parsed.samples if s.correction]
        for recorder, sets in groups.values():
            self._record(recorder, sets, problems, recorded)
        for recorder, d, sample in corrections:
            done, problem = apply_correction(recorder, d.parsed, sample)
            recorded[id(d)] += done
            if problem:
                problems[id(d)].append(problem)
        for d in batch:
            d.resolve(Outcome(recorded[id(d)], problems[id(d)], notes.get(id(d), "")))
            if recorded[id(d)]:
                self.diagnostics.recorded(d.parsed.device_id, recorded[id(d)])
        return len(batch)

    def _record(self, recorder: Recorder, sets: list[_Set], problems: dict[int, list[str]],
                recorded: dict[int, int]) -> None:
        if not sets:
            return
        sets.sort(key=lambda s: s.observed_at)
        try:
            results: list[Event | ValidationError] = recorder.record_device_vitals(
                [({**s.fields, "as_sent": s.as_sent} if s.as_sent else s.fields,
                  s.observed_at, s.delivery.parsed.device_id) for s in sets])
        except MonitorError as exc:   # the store failed: nothing of this batch is saved
            for s in sets:
                problems[id(s.delivery)].append(f"not recorded: {exc}")
            return
        sid = recorder.session.session_id
        for s, result in zip(sets, results, strict=True):
            if isinstance(result, ValidationError):
                problems[id(s.delivery)].append(
                    f"values at {s.observed_at.isoformat()} not recorded: {result}")
                continue
            recorded[id(s.delivery)] += len(s.fields)
            seen = self._seen.setdefault((s.delivery.parsed.device_id, sid), OrderedDict())
            for key in s.keys:
                seen[key] = None
            while len(seen) > SEEN_PER_BINDING:
                seen.popitem(last=False)

    def _sets(self, delivery: Delivery, recorder: Recorder, problems: list[str],
              pending: set[tuple[str, str, Key]]) -> list[_Set]:
        """Samples of one message grouped by time: the best-ranked code per parameter,
        repeats skipped (in this batch, in memory, or already in the stored record),
        times outside the session refused. Plausibility is the recorder's validation,
        as for every device sample. Corrections (OBX-11 C) are amendments, not here."""
        parsed = delivery.parsed
        session = recorder.session
        seen = self._seen.get((parsed.device_id, session.session_id), OrderedDict())
        best: dict[tuple[datetime, str], Sample] = {}
        for s in parsed.samples:
            if s.correction:
                continue
            held = best.get((s.observed_at, s.param))
            if held is None or s.rank < held.rank:
                best[(s.observed_at, s.param)] = s
        by_time: dict[datetime, _Set] = {}
        now = recorder.clock.now()
        for (when, param), s in best.items():
            value = device_value(param, s.value)
            key = (param, when, value)
            batch_key = (parsed.device_id, session.session_id, key)
            if key in seen or batch_key in pending or already_recorded(
                    session, param, when, value, parsed.device_id):
                continue   # the monitor repeats the last NIBP; a resend after a restart
            what = f"{label(param)} {fmt(value)} at {when.isoformat()}"
            why = _outside(session, when, now)
            if why:
                problems.append(f"{what} refused: {why}")
                continue
            pending.add(batch_key)
            entry = by_time.setdefault(when, _Set(delivery, {}, when, [], {}))
            entry.fields[param] = value
            entry.keys.append(key)
            if s.as_sent:
                entry.as_sent[param] = s.as_sent
        return list(by_time.values())


def _outside(session: Session, when: datetime, now: datetime) -> str:
    opened, closed = session.opened_at, session.closed_at
    if opened is not None and when < opened:
        return f"before the session opened ({opened.isoformat()})"
    if closed is not None and when > closed:
        return f"after the session closed ({closed.isoformat()})"
    if when > now + MAX_FUTURE:
        return (f"more than {int(MAX_FUTURE / timedelta(seconds=1))} s in the future "
                "(check the monitor's clock)")
    return ""

