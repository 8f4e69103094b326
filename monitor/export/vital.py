"""VitalDB's ``.vital`` format (Vital Recorder, the ``vitaldb`` Python package).

A gzip stream: the ``VITA`` sign, format version 3, a 26-byte header (the
offset ``dgmt`` = UTC minus local time in minutes, then the first and last
record times in epoch seconds), then packets of ``type (u8), length (u32),
body``: one device (type 9), one track info per track (type 0), then one
record per value (type 1). Numbers are little-endian; strings are a u32
length and UTF-8 bytes.

Numeric tracks carry Vital Recorder's names for the non-invasive monitor
(``NIBP_SBP``, ``HR``, ``PLETH_SPO2``, ...) under our device; scores and
the infusion rate get tracks of their own; events (infusion steps, drugs,
quick events, alarms, notes) go in the device-less ``EVENT`` string track.
Only valid readings are written: struck entries and artifacts are left out.
A de-identified file starts at 2100-01-01 00:00 UTC (the convention of
``vitaldb``'s own anonymiser) and keeps every interval.
"""

from __future__ import annotations

import gzip
import struct
from datetime import UTC, datetime

from monitor.clinical.describe import describe
from monitor.export.context import ExportContext
from monitor.model.events import CLINICAL_KINDS, EventKind
from monitor.model.parameters import REGISTRY

DEVICE = "KetamineMonitor"
ANON_START = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
# (series key, track name, unit, display min, display max, colour 0xAARRGGBB)
NUMERIC_TRACKS = tuple((p.key, p.vital.name, p.unit.replace("°", ""), p.vital.low,
                        p.vital.high, p.vital.colour) for p in REGISTRY if p.vital)
RATE_TRACK = ("KETAMINE_RATE", "mg/h", 0, 100, 0xFFFFA500)
EVENT_TRACK = "EVENT"
TRACK_NUM, TRACK_STR, FMT_FLOAT = 2, 5, 1
EVENT_KINDS = (CLINICAL_KINDS - {EventKind.VITALS, EventKind.ASSESSMENT}) | {
    EventKind.ALARM_RAISED, EventKind.ALARM_ESCALATED, EventKind.DISCHARGED}


def _str(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<L", len(data)) + data


def _packet(kind: int, body: bytes) -> bytes:
    return struct.pack("<BL", kind, len(body)) + body


def _track_info(tid: int, kind: int, name: str, unit: str, lo: float, hi: float,
                colour: int, did: int) -> bytes:
    return _packet(0, struct.pack("<HBB", tid, kind, FMT_FLOAT) + _str(name) + _str(unit)
                   + struct.pack("<ffLfddBL", lo, hi, colour, 0.0, 1.0, 0.0, 0, did))


def _record(tid: int, t: float, value: float | str) -> bytes:
    head = struct.pack("<HdH", 10, t, tid)
    if isinstance(value, str):
        return _packet(1, head + struct.pack("<L", 0) + _str(value))
    return _packet(1, head + struct.pack("<f", value))


def _events(ctx: ExportContext) -> list[tuple[float, str]]:
    out = []
    for ev in ctx.events:
        if ev.kind not in EVENT_KINDS:
            continue
        entry = ctx.session.entries.get(ev.seq)
        if entry is not None and not entry.counts:
            continue
        payload = entry.payload if entry is not None else ev.payload
        text = describe(ev.kind, ctx.scrub(payload), ctx.text)
        out.append((ev.observed_at.timestamp(), text))
    if ctx.not_verified:  # the first event a reader sees (the sort below is stable)
        out.insert(0, (ctx.start.timestamp(), ctx.record_status))
    return sorted(out, key=lambda e: e[0])


def to_vital(ctx: ExportContext) -> bytes:
    session = ctx.session
    shift = ANON_START - ctx.start.timestamp() if ctx.deidentify else 0.0
    offset = ctx.start.astimezone().utcoffset()
    dgmt = 0 if ctx.deidentify or offset is None else -int(offset.total_seconds() // 60)

    tracks: list[tuple[bytes, list[tuple[float, float | str]]]] = []
    tid = 0
    for key, name, unit, lo, hi, colour in NUMERIC_TRACKS:
        s = session.series[key]
        values = [(t, v) for t, v, art in zip(s.t.tolist(), s.v.tolist(),
                                              s.artifact.tolist(), strict=True) if not art]
        if values:
            tid += 1
            tracks.append((_track_info(tid, TRACK_NUM, name, unit, lo, hi, colour, 1), values))
    rates: list[tuple[float, float | str]] = [(t, r) for t, r in session.timeline.points]
    if rates:
        tid += 1
        name, unit, lo, hi, colour = RATE_TRACK
        tracks.append((_track_info(tid, TRACK_NUM, name, unit, lo, hi, colour, 1), rates))
    events = _events(ctx)
    if events:
        tid += 1
        tracks.append((_track_info(tid, TRACK_STR, EVENT_TRACK, "", 0, 0, 0xFFFFFFFF, 0),
                       events))  # type: ignore[arg-type]

    times = [t for _info, recs in tracks for t, _v in recs]
    first = min(times, default=ctx.start.timestamp()) + shift
    last = max(times, default=ctx.start.timestamp()) + shift
    body = [b"VITA", struct.pack("<LH", 3, 26),
            struct.pack("<hLLdd", dgmt, 0, 0, first, last),
            _packet(9, struct.pack("<L", 1) + _str(DEVICE) + _str(DEVICE) + _str(""))]
    body += [info for info, _recs in tracks]
    for number, (_info, recs) in enumerate(tracks, start=1):
        body += [_record(number, t + shift, v) for t, v in recs]
    return gzip.compress(b"".join(body), mtime=0)
