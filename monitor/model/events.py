"""Immutable event records: everything that happens in a session is one."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from monitor.clock import from_iso, to_iso

GENESIS = "0" * 64


class EventKind(StrEnum):
    SESSION_OPENED = "session_opened"
    VITALS = "vitals_recorded"
    ASSESSMENT = "assessment_recorded"
    INFUSION_STARTED = "infusion_started"
    RATE_CHANGED = "rate_changed"
    INFUSION_PAUSED = "infusion_paused"
    INFUSION_RESUMED = "infusion_resumed"
    BOLUS = "bolus_given"
    INFUSION_STOPPED = "infusion_stopped"
    MEDICATION = "medication_given"
    QUICK_EVENT = "quick_event"
    NOTE = "note_added"
    CHECKLIST = "checklist_recorded"
    WEIGHED = "weight_recorded"  # a re-weigh after dosing: the rate in mg/h follows it
    OUTCOME = "outcome_recorded"
    AMENDED = "entry_amended"
    STRUCK = "entry_struck"
    ARTIFACT = "artifact_flagged"
    LIMIT_CHANGED = "limit_changed"
    SOUND_MODE_CHANGED = "sound_mode_changed"
    ALARM_RAISED = "alarm_raised"
    ALARM_ESCALATED = "alarm_escalated"
    ALARM_ACKNOWLEDGED = "alarm_acknowledged"
    ALARM_REANNOUNCED = "alarm_reannounced"
    ALARM_RESOLVED = "alarm_resolved"
    AUDIO_PAUSED = "audio_paused"
    AUDIO_PAUSE_ENDED = "audio_pause_ended"
    DISCHARGED = "session_discharged"
    CLOSED = "session_closed"


# Entries a nurse can amend, strike or flag (clinical content, not decisions).
CLINICAL_KINDS = frozenset({
    EventKind.VITALS, EventKind.ASSESSMENT, EventKind.INFUSION_STARTED,
    EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED, EventKind.INFUSION_RESUMED,
    EventKind.BOLUS, EventKind.INFUSION_STOPPED, EventKind.MEDICATION,
    EventKind.QUICK_EVENT, EventKind.NOTE, EventKind.CHECKLIST, EventKind.OUTCOME,
    EventKind.WEIGHED,
})
CORRECTION_KINDS = frozenset({EventKind.AMENDED, EventKind.STRUCK, EventKind.ARTIFACT})
ALARM_KINDS = frozenset({
    EventKind.ALARM_RAISED, EventKind.ALARM_ESCALATED, EventKind.ALARM_ACKNOWLEDGED,
    EventKind.ALARM_REANNOUNCED, EventKind.ALARM_RESOLVED, EventKind.AUDIO_PAUSED,
    EventKind.AUDIO_PAUSE_ENDED,
})


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Event(NamedTuple):
    """One immutable event (a NamedTuple: cheap to build by the hundred thousand)."""

    session_id: str
    seq: int
    kind: EventKind
    payload: dict[str, Any]
    author: str
    observed_at: datetime
    recorded_at: datetime
    source: str
    prev_hash: str
    hash: str = ""

    @property
    def entry_id(self) -> str:
        """Stable id of the entry within its session, shown to nurses and in exports."""
        return f"{self.session_id}-{self.seq}"

    def content(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "seq": self.seq,
            "kind": str(self.kind),
            "payload": self.payload,
            "author": self.author,
            "observed_at": to_iso(self.observed_at),
            "recorded_at": to_iso(self.recorded_at),
            "source": self.source,
        }

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, canonical(self.content()))

    def to_record(self) -> dict[str, Any]:
        record = self.content()
        record["prev_hash"] = self.prev_hash
        record["hash"] = self.hash
        return record

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Event:
        return cls(
            session_id=rec["session_id"],
            seq=int(rec["seq"]),
            kind=EventKind(rec["kind"]),
            payload=rec["payload"],
            author=rec["author"],
            observed_at=from_iso(rec["observed_at"]),
            recorded_at=from_iso(rec["recorded_at"]),
            source=rec["source"],
            prev_hash=rec["prev_hash"],
            hash=rec["hash"],
        )


def chain_events(session_id: str, head: tuple[int, str],
                 items: list[tuple[EventKind, dict[str, Any], str, datetime, str]],
                 recorded_at: datetime) -> list[Event]:
    """New events continuing a session's chain from its head (seq, hash): each item is
    (kind, payload, author, observed_at, source)."""
    seq, prev = head
    built: list[Event] = []
    for kind, payload, author, observed_at, source in items:
        seq += 1
        draft = Event(session_id, seq, EventKind(kind), payload, author, observed_at,
                      recorded_at, source, prev)
        ev = draft._replace(hash=draft.compute_hash())
        built.append(ev)
        prev = ev.hash
    return built


def chain_hash(prev_hash: str, content_json: str) -> str:
    return hashlib.sha256((prev_hash + content_json).encode("utf-8")).hexdigest()


# The canonical content JSON of an event, rebuilt from its stored columns (whose text
# was written canonically): checking a day of 1 Hz samples costs no JSON parsing.
_RAW_CONTENT = ('%s{"author":%s,"kind":%s,"observed_at":"%s","payload":%s,'
                '"recorded_at":"%s","seq":%d,"session_id":%s,"source":%s}')


class _Quoted(dict[str, str]):
    """JSON string literals of the few author, kind, session and source values."""

    _encode = json.JSONEncoder(ensure_ascii=False).encode

    def __missing__(self, text: str) -> str:
        quoted = self[text] = self._encode(text)
        return quoted


class RawChecker:
    """Checks stored rows (session_id, seq, kind, observed_at, recorded_at, author,
    source, payload, prev_hash, hash) in order, chunk by chunk."""

    def __init__(self) -> None:
        self.prev = GENESIS
        self.seq = 0
        self.broken: tuple[int, str, str] | None = None
        self._q = _Quoted()

    def feed(self, rows: list[tuple[Any, ...]]) -> tuple[int, str, str] | None:
        """(seq, kind, why) of the first row that does not verify, else None."""
        if self.broken:
            return self.broken
        sha, q, fmt = hashlib.sha256, self._q, _RAW_CONTENT
        seq, prev = self.seq, self.prev
        for r in rows:
            seq += 1
            if r[1] != seq:
                self.broken = (r[1], r[2], f"sequence {r[1]} where {seq} was expected "
                               "(an event is missing)")
            elif r[8] != prev:
                self.broken = (r[1], r[2], "does not point at the previous event's hash")
            elif sha((fmt % (prev, q[r[5]], q[r[2]], r[3], r[7], r[4], seq, q[r[0]],
                             q[r[6]])).encode()).hexdigest() != r[9]:
                self.broken = (r[1], r[2], "content does not match its stored hash")
            if self.broken:
                return self.broken
            prev = r[9]
        self.seq, self.prev = seq, prev
        return None


def first_broken(events: list[Event]) -> tuple[Event, str] | None:
    """Walk one session's chain; return the first event that does not verify."""
    prev = GENESIS
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            return ev, f"sequence {ev.seq} where {expected_seq} was expected (an event is missing)"
        if ev.prev_hash != prev:
            return ev, "does not point at the previous event's hash"
        if ev.compute_hash() != ev.hash:
            return ev, "content does not match its stored hash"
        prev = ev.hash
    return None
