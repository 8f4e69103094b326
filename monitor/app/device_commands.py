"""The command line's ``listen`` and ``replay``."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.devices.exposure import Exposure
from monitor.devices.messages import hl7_time
from monitor.devices.pcd01 import parse_time
from monitor.devices.sender import MllpSender, read_messages
from monitor.devices.station import Station
from monitor.devices.zones import machine_zone_name, zone
from monitor.errors import MonitorError
from monitor.log.eventlog import EventLog
from monitor.record.recorder import Recorder

Say = Callable[[str], None]


def clinic_zone(name: str | None) -> tzinfo:
    """The clinic's IANA time zone by name; by default this computer's IANA zone
    (never a fixed offset: a fixed offset is an hour off after a DST change)."""
    try:
        return zone(name or machine_zone_name())
    except MonitorError as exc:
        raise MonitorError(f"--tz: {exc}") from exc


def parse_bindings(pairs: list[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        device, sep, session = pair.partition("=")
        if not sep or not device.strip() or not session.strip():
            raise MonitorError(f"--bind {pair!r}: write DEVICE=SESSION, for example "
                               "--bind 00A0370098007A80=3f2a")
        out.append((device.strip(), session.strip()))
    return out


def run_listen(store: EventLog, *, host: str, port: int, bindings: list[tuple[str, str]],
               tz: str | None, say: Say, exposure: Exposure | None = None) -> int:
    """Listen until SIGTERM or Ctrl+C, recording each bound device into its open session."""
    pairs = bindings
    clock = SystemClock()
    stop = threading.Event()
    protocols = load_protocols()
    recorders: dict[str, Recorder] = {}
    exposure = exposure or Exposure()
    station = Station(clock, host=host, port=port, clinic_tz=clinic_zone(tz), report=say,
                      exposure=exposure)
    for device, prefix in pairs:
        sid = store.find_session(prefix)
        recorders.setdefault(sid, Recorder(store, sid, clock, protocols))
        station.capture.bind(device, recorders[sid])
    bound = station.start()
    say(f"listening for HL7 (MLLP{' over TLS' if exposure.tls else ''}) on {host}:{bound}; "
        + (", ".join(f"{d} -> session {s}" for d, s in pairs) or "no device bound"))
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        next_tick = time.monotonic() + 1.0
        while not stop.is_set():
            station.pump(0.2)
            if time.monotonic() >= next_tick:   # rules timers, as the window does
                for rec in recorders.values():
                    rec.tick()
                next_tick += 1.0
    finally:
        station.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("stopped")
    return 0


def parse_target(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise MonitorError(f"--to {text!r}: write HOST:PORT, for example 127.0.0.1:2575")
    return host, int(port)


def run_replay(path: Path, *, to: str, speed: float, say: Say, now: bool = False) -> int:
    """Send every message of ``path`` in order, pacing by MSH-7 divided by ``speed``
    (0: as fast as the ACKs come); ``now``: every time moved so the last message is
    stamped now (a recording replayed into a session opened today). Exit status 1
    unless every ACK is AA."""
    host, port = parse_target(to)
    messages = read_messages(path)
    if now:
        messages = shift_to_now(messages, datetime.now(UTC))
    codes: dict[str, int] = {"AA": 0, "AE": 0, "AR": 0}
    previous: datetime | None = None
    with MllpSender(host, port) as sender:
        for text in messages:
            when = _msh7(text)
            if speed > 0 and when is not None and previous is not None and when > previous:
                time.sleep(min((when - previous) / timedelta(seconds=1) / speed, 60.0))
            previous = when or previous
            ack = sender.send(text)
            codes[ack.code] = codes.get(ack.code, 0) + 1
            if ack.code != "AA":
                say(f"{ack.control_id or '(no control ID)'}: {ack.code} {ack.text}")
    say(f"sent {len(messages)} messages to {host}:{port}: "
        + ", ".join(f"{n} {c}" for c, n in codes.items()))
    return 0 if codes.get("AA", 0) == len(messages) else 1


# The times a PCD-01 message carries: MSH-7, OBR-7 and OBX-14.
_TIME_FIELDS = {"MSH": 6, "OBR": 7, "OBX": 14}


def shift_to_now(messages: list[str], now: datetime) -> list[str]:
    """The messages with MSH-7, OBR-7 and OBX-14 moved by one offset, so that the last
    message's MSH-7 is ``now`` (written in UTC)."""
    times = [t for t in (_msh7(m) for m in messages) if t is not None]
    if not times:
        raise MonitorError("no message has a time in MSH-7: nothing to move to now")
    delta = now - max(times)
    return [_shift(m, delta) for m in messages]


def _shift(text: str, delta: timedelta) -> str:
    lines = []
    for line in text.split("\r"):
        parts = line.split("|")
        n = _TIME_FIELDS.get(parts[0])
        if n is not None and len(parts) > n and parts[n]:
            try:
                moved = parse_time(parts[n].split("^")[0], UTC) + delta
            except ValueError:
                moved = None
            if moved is not None:
                parts[n] = hl7_time(moved)
        lines.append("|".join(parts))
    return "\r".join(lines)


def _msh7(text: str) -> datetime | None:
    fields = text.split("\r", 1)[0].split("|")
    try:
        return parse_time(fields[6], UTC) if len(fields) > 6 and fields[6] else None
    except ValueError:
        return None
