"""What the listener has heard: peers, devices, messages, errors, last values,
unmapped codes. Written by the listener's thread and the owner's, read by the
device panel and the command line as immutable snapshots.

It answers the question capture users ask most: "why do waveforms arrive but
no vitals?" (the device sends codes that are not mapped, or rows with status
X, or placeholders: each is counted here, never dropped silently).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.clock import Clock
from monitor.devices.pcd01 import Parsed
from monitor.errors import hand_on

log = logging.getLogger(__name__)
Report = Callable[[str], None]


@dataclass(frozen=True)
class PeerStatus:
    peer: str
    connected_at: datetime
    messages: int = 0
    errors: int = 0
    open: bool = True


@dataclass(frozen=True)
class DeviceStatus:
    device_id: str
    peer: str = ""
    messages: int = 0
    errors: int = 0
    recorded: int = 0
    last_message_at: datetime | None = None
    last_error: str = ""
    last_values: dict[str, tuple[float, datetime]] = field(default_factory=dict)
    unknown_codes: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    patient_id: str = ""        # PID-3 of the last message
    patient_name: str = ""      # PID-5
    bed: str = ""               # PV1-3
    sender_name: str = ""       # OBX-18.2 or MSH-3.1

    def identity(self) -> str:
        """One line naming the monitor, its bed and its patient, as listed and bound."""
        parts = [self.sender_name or self.device_id]
        if self.bed:
            parts.append(f"bed {self.bed}")
        patient = " ".join(p for p in (self.patient_id, f"({self.patient_name})"
                                       if self.patient_name else "") if p)
        parts.append(f"patient {patient}" if patient else "no patient id")
        return " · ".join(parts)


@dataclass(frozen=True)
class Snapshot:
    peers: tuple[PeerStatus, ...]
    devices: tuple[DeviceStatus, ...]
    lines: tuple[str, ...]


class Diagnostics:
    """Thread-safe counters and last values; ``report`` receives one line per
    connection and per error (the command line prints them)."""

    MAX_UNKNOWN = 100
    MAX_DEVICES = 2000
    MAX_PEERS = 1000

    def __init__(self, clock: Clock, report: Report | None = None, *,
                 keep_lines: int = 200, forget_after: float = 3600.0) -> None:
        self.clock = clock
        self.report = report
        self.forget_after = timedelta(seconds=forget_after)
        self._next_sweep = clock.now()
        self._lock = threading.Lock()
        self._peers: dict[str, PeerStatus] = {}
        self._devices: dict[str, DeviceStatus] = {}
        self._lines: deque[str] = deque(maxlen=keep_lines)

    def _say(self, line: str, *, error: bool = False) -> None:
        stamped = f"{self.clock.now():%H:%M:%S} {line}"
        with self._lock:
            self._lines.append(stamped)
        (log.warning if error else log.info)("%s", line)
        if self.report is not None:
            try:
                self.report(line)
            except Exception as exc:  # noqa: BLE001 - e.g. a closed stdout: shown, capture goes on
                hand_on(exc)

    # -- connections -----------------------------------------------------------
    def connected(self, peer: str) -> None:
        with self._lock:
            self._peers[peer] = PeerStatus(peer, self.clock.now())
        self._say(f"connection from {peer}")

    def refused(self, peer: str, why: str) -> None:
        """A connection turned away before anything was read (allow-list, cap)."""
        self._say(f"connection from {peer} refused: {why}", error=True)

    def disconnected(self, peer: str, why: str = "") -> None:
        with self._lock:
            status = self._peers.get(peer)
            if status is not None:
                self._peers[peer] = replace(status, open=False)
        self._say(f"connection from {peer} closed" + (f": {why}" if why else ""), error=bool(why))

    # -- messages --------------------------------------------------------------
    def heard(self, peer: str, parsed: Parsed) -> None:
        now = self.clock.now()
        with self._lock:
            dev = self._devices.get(parsed.device_id) or DeviceStatus(parsed.device_id)
            values = dict(dev.last_values)
            ranks: dict[str, int] = {}
            for s in parsed.samples:   # as capture records: the best-ranked code, first on ties
                if s.param not in ranks or s.rank < ranks[s.param]:
                    ranks[s.param] = s.rank
                    values[s.param] = (s.value, s.observed_at)
            unknown = dict(dev.unknown_codes)
            new_codes = [f"{c} {lb}".rstrip() for c, lb in parsed.unknown.items()
                         if c not in unknown and c != "(empty)"]
            for code, label in parsed.unknown.items():
                if code in unknown or len(unknown) < self.MAX_UNKNOWN:
                    unknown[code] = label
            skipped = dict(dev.skipped)
            for why, n in parsed.skipped.items():
                skipped[why] = skipped.get(why, 0) + n
            self._devices[parsed.device_id] = replace(
                dev, peer=peer, messages=dev.messages + 1, last_message_at=now,
                last_values=values, unknown_codes=unknown, skipped=skipped,
                patient_id=parsed.patient_id, patient_name=parsed.patient_name,
                bed=parsed.bed, sender_name=parsed.sender_name)
            self._count_peer(peer, error=False)
            forgotten = self._sweep(now)
        if new_codes:   # once per code and device: "why no vitals?" answered in the log
            self._say(f"{peer} {parsed.device_id}: codes not mapped, not recorded: "
                      + ", ".join(new_codes[:8])
                      + (f" and {len(new_codes) - 8} more" if len(new_codes) > 8 else ""))
        if forgotten:
            self._say(f"forgot {forgotten} device(s) unheard for "
                      f"{self.forget_after.total_seconds():g} s or beyond the first "
                      f"{self.MAX_DEVICES} (diagnostics bound)")

    def _sweep(self, now: datetime) -> int:
        """Under the lock: forget devices unheard for ``forget_after`` and closed peers,
        at most once a minute, and keep both tables bounded."""
        if now < self._next_sweep and len(self._devices) <= self.MAX_DEVICES:
            return 0
        self._next_sweep = now + timedelta(seconds=60)
        since = now - self.forget_after
        old = [d for d, st in self._devices.items()
               if st.last_message_at is None or st.last_message_at < since]
        for device_id in old:
            del self._devices[device_id]
        over = len(self._devices) - self.MAX_DEVICES
        if over > 0:   # the least recently heard first
            ordered = sorted(self._devices.items(), key=lambda kv: kv[1].last_message_at or since)
            for device_id, _ in ordered[:over]:
                del self._devices[device_id]
        closed = [p for p, st in self._peers.items()
                  if not st.open and (st.connected_at < since or len(self._peers) > self.MAX_PEERS)]
        for peer in closed[:max(0, len(self._peers) - self.MAX_PEERS) or len(closed)]:
            del self._peers[peer]
        return len(old) + max(0, over)

    def error(self, peer: str, reason: str, device_id: str = "") -> None:
        with self._lock:
            dev = self._devices.get(device_id) if device_id else None
            if dev is not None:
                self._devices[device_id] = replace(dev, errors=dev.errors + 1, last_error=reason)
            self._count_peer(peer, error=True)
        self._say(f"{peer}{' ' + device_id if device_id else ''}: {reason}", error=True)

    def recorded(self, device_id: str, count: int) -> None:
        with self._lock:
            dev = self._devices.get(device_id)
            if dev is not None:
                self._devices[device_id] = replace(dev, recorded=dev.recorded + count)

    def _count_peer(self, peer: str, *, error: bool) -> None:
        status = self._peers.get(peer)
        if status is not None:
            self._peers[peer] = replace(status, messages=status.messages + (not error),
                                        errors=status.errors + error)

    # -- reading ---------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(tuple(self._peers.values()), tuple(self._devices.values()),
                            tuple(self._lines))

    def device(self, device_id: str) -> DeviceStatus | None:
        with self._lock:
            return self._devices.get(device_id)

    def heard_within(self, seconds: float) -> list[DeviceStatus]:
        """Devices whose last message arrived within ``seconds`` of now, newest first."""
        since = self.clock.now() - timedelta(seconds=seconds)
        with self._lock:
            recent = [d for d in self._devices.values()
                      if d.last_message_at is not None and d.last_message_at >= since]
        return sorted(recent, key=lambda d: d.last_message_at or since, reverse=True)
