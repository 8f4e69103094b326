"""The central board's model: every chair's current session, folded from the clinic
database, and what its tile shows. Qt-free; ``ui.board`` draws it.

The board reads as ``km_board`` (SELECT only) and evaluates rules only to show
them: alarm decisions are recorded by the chair that owns the session, never by
the board, so no alarm is raised twice.

A notification (LISTEN/NOTIFY, ``monitor.log.postgres.listen``) is only a wake-up: any
login can send one with any text, so the board never takes a chair or a session
from it. It reads the table instead (``refresh``): each chair's newest session,
then every session whose head moved, after the last sequence number it holds.
Sequence numbers have no gaps within a session, so a read after a reconnect
(notifications sent meanwhile are lost), or the periodic one, misses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from monitor.board.labels import distinct, pseudonym
from monitor.board.vitals import age_text, tile_vitals
from monitor.clinical.protocols import ProtocolSet
from monitor.clinical.rules.alarms import sounding
from monitor.clinical.rules.engine import evaluate
from monitor.clinical.session_protocol import protocol_in_force
from monitor.clock import Clock
from monitor.errors import MonitorError
from monitor.log.postgres import board_reads
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import chair_role
from monitor.model.session import PRIORITY_RANK, Phase, Priority, Session
from monitor.record.change import Change, fold_in, fold_read

log = logging.getLogger(__name__)
PATIENT_LABELS = ("initials", "pseudonym")
# A chair's own rows that cannot be read or folded: its tile says so, the rest go on.
_UNREADABLE = (MonitorError, ValueError, KeyError, TypeError, IndexError, AttributeError)
STALE_AFTER = timedelta(minutes=15)


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    return ".".join(p[0].upper() for p in parts) + "." if parts else "?"


@dataclass
class Tile:
    """What one chair's tile shows. ``live`` false means no current data: the tile
    then shows only ``no_data`` (never values that may be frozen)."""

    chair: str
    session_id: str = ""
    patient: str = ""
    live: bool = False
    no_data: str = "no session"
    phase: str = ""
    since_dose: str = ""
    rate: str = ""
    dose: str = ""
    vitals: list[tuple[str, str, str]] = field(default_factory=list)  # title, value, age
    alarm: str = ""
    alarm_priority: Priority | Literal[""] = ""
    alarms: list[tuple[Priority, str]] = field(default_factory=list)  # every active: priority, text
    overdue: list[str] = field(default_factory=list)
    news2: str = ""
    min_observation: str = ""


class BoardModel:
    def __init__(self, log: PgLog, clock: Clock, protocols: ProtocolSet, *, chairs: int,
                 patient_label: str = "initials", stale_after: timedelta = STALE_AFTER) -> None:
        if patient_label not in PATIENT_LABELS:
            raise ValueError(f"patient label {patient_label!r}: use one of "
                             f"{', '.join(PATIENT_LABELS)}")
        self.log = log
        self.clock = clock
        self.protocols = protocols
        self.chairs = [chair_role(n) for n in range(1, chairs + 1)]
        self.patient_label = patient_label
        self.stale_after = stale_after
        self.sessions: dict[str, Session] = {}
        self.current: dict[str, str] = {}  # chair → its newest session
        self.connected: set[str] = set()
        self.unreadable: dict[str, str] = {}  # chair → why its session cannot be shown
        self.reads = 0
        self.refreshes = 0
        self._watchers: dict[str, list[Callable[[Change], None]]] = {}

    @property
    def location(self) -> str:
        """Where the board reads (the server's URL without password), for its status."""
        return self.log.location

    def close(self) -> None:
        self.log.close()

    # -- reading -------------------------------------------------------------
    def resync(self) -> None:
        """Read everything new and who is connected (at start and after a reconnect)."""
        self.refresh()
        self.refresh_presence()

    def refresh(self) -> list[str]:
        """Read from the table what changed: each chair's newest session, then each
        current session whose head moved. Returns the chairs whose tile changed. Called
        on every notification (a wake-up, whatever it says) and periodically."""
        self.refreshes += 1
        changed: list[str] = []
        rows = self.log.query(board_reads.newest_sessions, self.chairs)
        for chair, sid in rows:
            if sid is not None and self.current.get(chair) != sid:
                self.current[chair] = sid
                changed.append(chair)
        heads = self.log.query(board_reads.heads, list(set(self.current.values())))
        for chair, sid in self.current.items():
            held = self.sessions.get(sid)
            if heads.get(sid, 0) <= (len(held.events) if held else 0) and held is not None:
                continue
            try:
                self.catch_up(sid)
            except _UNREADABLE as exc:
                if isinstance(exc, MonitorError) and self.log.offline:
                    raise
                log.warning("board cannot show %s's session: %s", chair, exc)
                self.unreadable[chair] = str(exc)[:200]
            else:
                self.unreadable.pop(chair, None)
            self.connected.add(chair)  # it just committed: it is connected
            if chair not in changed:
                changed.append(chair)
        return changed

    def watch(self, session_id: str, listener: Callable[[Change], None]
              ) -> Callable[[], None]:
        """Tell ``listener`` what each read of this session changed (a read-only view of
        it draws from that); returns a function that stops it."""
        watchers = self._watchers.setdefault(session_id, [])
        watchers.append(listener)
        return lambda: watchers.remove(listener)

    def catch_up(self, session_id: str) -> int:
        session = self.sessions.setdefault(session_id, Session(session_id))
        events = self.log.query(board_reads.events_after, session_id, len(session.events))
        self.reads += 1
        watchers = self._watchers.get(session_id)
        if not (watchers and events):
            fold_in(session, events)  # nobody draws it: no rules evaluated for a view
            return len(events)
        change = fold_read(session, events, self.protocols, self.clock.now())
        for listener in list(watchers):
            listener(change)
        return len(events)

    def refresh_presence(self) -> None:
        """Which chairs hold a connection to the server now (a chair that crashed or
        lost its network is not connected: its tile says so)."""
        self.connected = self.log.query(board_reads.connected_chairs)

    # -- tiles ---------------------------------------------------------------
    def tiles(self) -> list[Tile]:
        now = self.clock.now()
        return [self.tile(chair, now) for chair in self.chairs]

    def tile(self, chair: str, now: datetime) -> Tile:
        """What the chair's tile shows now. A session that cannot be shown (its own
        chair wrote content the rules cannot read) blanks that tile only."""
        try:
            return self._tile(chair, now)
        except _UNREADABLE as exc:
            log.warning("board cannot show %s's session: %s", chair, exc)
            return Tile(chair, no_data=f"no data · cannot read its session: {str(exc)[:200]}")

    def _tile(self, chair: str, now: datetime) -> Tile:
        sid = self.current.get(chair)
        session = self.sessions.get(sid or "")
        if chair in self.unreadable:
            return Tile(chair, no_data=f"no data · cannot read its session: "
                                      f"{self.unreadable[chair]}")
        if session is None or not session.events:
            return Tile(chair)
        tile = Tile(chair, session.session_id, self._labels().get(chair, "?"))
        last = session.events[-1].recorded_at
        age = (now - last).total_seconds()
        if session.phase is Phase.CLOSED:
            tile.no_data = "session closed"
            return tile
        if chair not in self.connected:
            tile.no_data = f"no data · chair offline · last entry {age_text(age)} ago"
            return tile
        if age > self.stale_after.total_seconds():
            tile.no_data = f"no data for {age_text(age)}"
            return tile
        tile.live = True
        self._fill(tile, session, now)
        return tile

    def sounding_session(self, now: datetime) -> Session | None:
        """The live session whose alarm should sound loudest on the board (the board
        sounds the full signal, whatever the bedside's setting), or None."""
        best: tuple[int, Session] | None = None
        for chair in self.chairs:
            session = self.sessions.get(self.current.get(chair, ""))
            if session is None or not self.tile(chair, now).live:
                continue
            try:
                priority = sounding(session, now)
            except _UNREADABLE:
                continue
            rank = PRIORITY_RANK[priority] if priority else 0
            if priority and (best is None or rank > best[0]):
                best = (rank, session)
        return best[1] if best else None

    def _patient(self, session: Session) -> tuple[str, str]:
        o = session.opening
        pid = str(o.get("patient_id", ""))
        if self.patient_label == "pseudonym":
            return pseudonym(pid), pid
        return initials(str(o.get("display_name") or pid)), pid

    def _labels(self) -> dict[str, str]:
        """Every chair's patient label, distinct across the board."""
        shown = {chair: self._patient(s) for chair, sid in self.current.items()
                 if (s := self.sessions.get(sid)) is not None and s.events}
        return distinct(shown)

    def _fill(self, tile: Tile, s: Session, now: datetime) -> None:
        protocol = protocol_in_force(s, self.protocols)
        ev = evaluate(s, protocol, now)
        tile.phase = s.phase.upper() + (" · PAUSED" if s.paused else "")
        start = s.infusion_started_at
        if start:
            minutes = int(((s.discharged_at or now) - start).total_seconds() // 60)
            tile.since_dose = f"T+{minutes // 60}:{minutes % 60:02d}"
        if s.dose_mode == "single" and start:
            tile.rate = "single dose"
        elif s.phase is Phase.INFUSING:
            tile.rate = f"{s.rate_mg_per_h(now):.1f} mg/h"
        tile.dose = f"{s.dose_mg(now):.1f} mg"
        tile.vitals = tile_vitals(s, protocol, now)
        active = s.active_alarms()
        if active:  # worst first: the tile shows every one, never only the worst
            tile.alarm, tile.alarm_priority = active[0].message, active[0].priority
            tile.alarms = [(a.priority, a.message) for a in active]
        tile.overdue = [f"{d.label} overdue {int(d.overdue_s // 60)} min"
                        for d in ev.schedule if d.overdue]
        tile.news2 = (f"NEWS2 {ev.news2.total} {ev.news2.band}" if ev.news2.total is not None
                      else "NEWS2 —")
        mo = ev.min_observation
        if mo is not None:
            tile.min_observation = (
                "min. observation met" if mo.met
                else f"min. observation from the {mo.counted_from}" if mo.running
                else f"min. observation {mo.remaining_min:.0f} min left")
