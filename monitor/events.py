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
    EventKind.QUICK_EVENT, EventKind.NOTE, EventKind.OUTCOME,
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


def chain_hash(prev_hash: str, content_json: str) -> str:
    return hashlib.sha256((prev_hash + content_json).encode("utf-8")).hexdigest()


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
