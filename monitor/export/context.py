"""What every export writer needs: the folded session, its events, and one
place that decides how times and free text appear (identified or not)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from monitor.clinical.protocols import Protocol
from monitor.log.eventlog import NOT_VERIFIED, Verdict
from monitor.model.events import Event, EventKind
from monitor.model.session import Entry, Session

# Free-text payload keys removed from de-identified exports (a drug is typed freely).
FREE_TEXT = frozenset({"text", "comment", "reason", "indication_text", "lot", "display_name",
                       "patient_id", "override_reason", "drug", "protocol_snapshot",
                       "date_of_birth", "prescriber"})
# Payload keys naming a nurse: replaced by the file's pseudonym.
PEOPLE = frozenset({"nurse_id", "signed_by", "by", "acknowledged_by"})
DEID_NOTICE = ("DE-IDENTIFIED: no patient identifier or name, nurses pseudonymised, times are "
               "offsets from the session start, free text removed")
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


@dataclass
class ExportContext:
    session: Session
    protocol: Protocol
    deidentify: bool
    exported_at: datetime
    record: Verdict | None = None
    events: list[Event] = field(init=False)
    _pseudonyms: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.events = self.session.events
        # One local UTC offset for the whole session unless it crosses a change (DST).
        first = self.start.astimezone().utcoffset()
        last = (self.events[-1].observed_at if self.events else self.start).astimezone()
        self._tz = (timezone(first) if first is not None and first == last.utcoffset()
                    else None)

    # -- the record --------------------------------------------------------------
    @property
    def event_count(self) -> int:
        return self.record.events if self.record else len(self.events)

    @property
    def head_hash(self) -> str:
        """The hash of the session's newest event: it anchors every earlier one."""
        if self.record:
            return self.record.head
        return self.events[-1].hash if self.events else ""

    @property
    def record_status(self) -> str:
        return self.record.text() if self.record else "not checked against the database"

    @property
    def not_verified(self) -> bool:
        """Checked, nothing wrong found, but not everything could be checked (seals):
        every format says NOT VERIFIED where a reader looks first."""
        return self.record is not None and self.record.ok and not self.record.verified

    @property
    def record_word(self) -> str:
        """One word per row for tabular formats."""
        if self.record is None:
            return "not checked"
        if not self.record.ok:
            return "FAILED VERIFICATION"
        return NOT_VERIFIED if self.not_verified else "verified"

    def anchor(self) -> str:
        """One line for paper: how many events and which head; de-identified files
        give only the count (the head hash would link them to the identified record)."""
        if self.deidentify:
            return f"Record: {self.event_count} events"
        return f"Record: {self.event_count} events, head hash {self.head_hash}"

    # -- people and times ----------------------------------------------------------
    def who(self, author: str | None) -> str:
        """A nurse as named in this file: the ID, or in a de-identified file a pseudonym
        stable within the file (nurse-1 is whoever recorded first)."""
        if not self.deidentify or not author or author == "system":
            return author or ""
        name = self._pseudonyms.get(author)
        if name is None:
            if not self._pseudonyms:
                for ev in self.events:  # numbered in order of first appearance
                    if ev.author != "system":
                        self._pseudonyms.setdefault(ev.author, f"nurse-{len(self._pseudonyms) + 1}")
            name = self._pseudonyms.setdefault(author, f"nurse-{len(self._pseudonyms) + 1}")
        return name

    @property
    def start(self) -> datetime:
        assert self.session.opened_at is not None
        return self.session.opened_at

    def time(self, when: datetime) -> str:
        """Local ISO 8601 with offset; for de-identified files 'T+hh:mm:ss' from the start."""
        if self.deidentify:
            return offset_text(when - self.start)
        return when.astimezone(self._tz).isoformat(timespec="seconds")

    def stamp(self, when: datetime | None) -> str:
        """Date and time for report headers: local, with the UTC offset."""
        if when is None:
            return "—"
        if self.deidentify:
            return offset_text(when - self.start)
        return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %z")

    def short(self, when: datetime | None) -> str:
        """Compact time for report tables: local HH:MM:SS (with the date if not the first day)."""
        if when is None:
            return "—"
        if self.deidentify:
            return offset_text(when - self.start)
        local = when.astimezone()
        if local.date() != self.start.astimezone().date():
            return local.strftime("%m-%d %H:%M:%S")
        return local.strftime("%H:%M:%S")

    def minutes_since_infusion(self, when: datetime) -> float | None:
        start = self.session.infusion_started_at
        if start is None:
            return None
        return round((when.timestamp() - start.timestamp()) / 60.0, 2)

    def scrub(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A payload for a de-identified file: free text dropped, nurses pseudonymised,
        absolute times shifted like every other time in the file."""
        if not self.deidentify:
            return payload
        out = {}
        for key, value in payload.items():
            if key in FREE_TEXT:
                continue
            if isinstance(value, dict):
                value = self.scrub(value)
            elif key in PEOPLE and isinstance(value, str):
                value = self.who(value)
            elif isinstance(value, str) and _ISO.match(value):
                try:
                    value = self.time(datetime.fromisoformat(value))
                except (ValueError, TypeError):
                    continue
            out[key] = value
        return out

    def text(self, value: str | None) -> str:
        return "" if self.deidentify or not value else value

    @property
    def patient(self) -> str:
        return "(de-identified)" if self.deidentify else str(
            self.session.opening.get("patient_id", ""))

    @property
    def patient_name(self) -> str:
        return "" if self.deidentify else str(self.session.opening.get("display_name") or "")

    def entries(self, *kinds: EventKind) -> list[Entry]:
        """Entries in observed-time order (sorted only if back-dating disturbed it)."""
        chosen = [e for e in self.session.entries.values()
                  if (not kinds or e.kind in kinds) and not e.unreadable]
        times = [e.event.observed_at for e in chosen]
        if any(a > b for a, b in itertools.pairwise(times)):
            chosen.sort(key=lambda e: (e.event.observed_at, e.event.seq))
        return chosen

    def times(self, moments: list[datetime]) -> list[str]:
        """``time`` for many instants at once: vectorised when the offset is fixed."""
        if self.deidentify or self._tz is None or not moments:
            return [self.time(m) for m in moments]
        import numpy as np  # ~60 ms: only exports need it; the window starts without it
        offset = self._tz.utcoffset(None)
        seconds = np.array([m.timestamp() for m in moments]) + offset.total_seconds()
        text = np.datetime_as_string(np.floor(seconds).astype("datetime64[s]"), unit="s")
        suffix = datetime(2000, 1, 1, tzinfo=self._tz).isoformat()[19:]
        return [t + suffix for t in text.tolist()]


def offset_text(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"T{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
