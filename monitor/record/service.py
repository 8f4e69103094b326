"""The window's narrow door into the core.

A view asks this service for sessions to list, open, resume and check, and for
exports; it records through the ``Recorder`` the service hands it. It never sees
the event log itself, so a window works the same on the embedded SQLite file and
on a clinic's server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.clinical.protocols import ProtocolSet
from monitor.clock import Clock
from monitor.courses.course import load_course, previous_session
from monitor.export import render, verified
from monitor.export.atomic import write_atomic
from monitor.log.eventlog import EventLog, Verdict
from monitor.model.session import Session
from monitor.record.link import Link
from monitor.record.recorder import Recorder
from monitor.record.sessions import session_rows

# The window is handed the log the command line opened and gives it to its Service
# untouched: it names the log's type from here, never from ``monitor.log``.
__all__ = ["EventLog", "Service"]


class Service:
    def __init__(self, log: EventLog, clock: Clock, protocols: ProtocolSet) -> None:
        self._log = log
        self.clock = clock
        self.protocols = protocols
        self._link = Link(log)

    # -- sessions --------------------------------------------------------------
    def sessions(self, *, open_only: bool = False) -> list[dict[str, Any]]:
        """One row per session (id, patient, start, phase, entries, active alarms)."""
        return session_rows(self._log, open_only=open_only, protocols=self.protocols)

    def has_session(self, session_id: str) -> bool:
        return session_id in self._log.session_ids()

    def open_new(self, fields: dict[str, Any]) -> Recorder:
        """Open a session (fields as the nurse typed them; ValidationError names each
        bad one) and return its recorder, owned by the calling thread."""
        return Recorder.open_new(self._log, self.clock, self.protocols, fields)

    def resume(self, session_id: str) -> Recorder:
        return Recorder(self._log, session_id, self.clock, self.protocols)

    def check(self, session_id: str) -> Verdict:
        """The record's verdict: chain, seals, registry (cached by head)."""
        return self._log.check_session(session_id)

    def owner(self, session_id: str) -> str:
        """Who evaluates the session's rules (shown to the nurse)."""
        return self._log.owner(session_id)

    # -- one patient's sessions ----------------------------------------------
    def course(self, patient_id: str) -> list[Session]:
        return load_course(self._log, patient_id)

    def previous(self, session: Session) -> Session | None:
        return previous_session(self._log, session)

    def earlier(self, session: Session) -> list[Session]:
        """The patient's sessions opened before this one, oldest first."""
        patient = str(session.opening.get("patient_id", ""))
        opened = session.opened_at
        return [s for s in load_course(self._log, patient) if s.session_id != session.session_id
                and opened is not None and s.opened_at is not None and s.opened_at < opened]

    def count_earlier(self, session: Session) -> int:
        """How many sessions of the patient were opened before this one (no fold)."""
        patient = str(session.opening.get("patient_id", ""))
        opened = session.opened_at
        return sum(1 for s in self._log.summaries()
                   if s.patient_id == patient and opened is not None and s.opened_at < opened)

    # -- the clinic server's link ----------------------------------------------
    def tick(self) -> str:
        """Once a second, from the window's timer (a session shown or not): keep the
        clinic server's link alive (never blocks) and return its text."""
        return self._link.tick()

    def link_text(self) -> str:
        """How the link is, for the header ('' on a file log or while every entry
        reaches the server); tries nothing."""
        return self._link.text()

    # -- exports ---------------------------------------------------------------
    def export(self, recorder: Recorder, fmt: str, out: Path, *, deidentify: bool = False,
               wide: bool = False, force: bool = False, page_size: str = "a4",
               notes: list[str] | None = None) -> tuple[Path, int]:
        """Write one export of the recorder's session atomically, after checking the
        record (refused when it fails); returns the file and its size in bytes.
        What the nurse should know about the file is appended to ``notes``."""
        session = recorder.session
        record = verified(self._log, session.session_id)
        data = render(session, self.protocols, fmt, now=self.clock.now(),
                      deidentify=deidentify, wide=wide, record=record, page_size=page_size,
                      notes=notes)
        return write_atomic(out, data, force=force), len(data)

    def close(self) -> None:
        self._log.close()
