"""Parse an IHE PCD-01 ORU^R01 message into samples of the session's parameters.

A message that cannot be read at all (not HL7, not ORU^R01, bad character
set, no device identity) raises ``Rejected``; the listener answers it with
an AR acknowledgement naming the reason. Otherwise every OBX row is either
mapped to a sample, skipped for a documented reason (containment rows,
non-numeric rows, OBX-11 ``X``, gateway placeholders), kept as an unknown
code for the device diagnostics, or refused with a problem naming the row
and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from monitor.devices.ack import DEFAULT_ECHO, Echo
from monitor.devices.er7 import Er7Error, Segment, parse
from monitor.devices.mdc import (
    CODES,
    UNIT_NAMES,
    code_number,
    convert,
    is_placeholder,
    unit_kind,
)

SUPPORTED = ("ORU", "R01")
MAX_ID = 64
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DTM = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$")
_EUI64 = re.compile(r"^[0-9A-Fa-f]{16}$")
# OBX-11 (HL7 table 0085). Recorded: F final, P preliminary, R entered not verified
# (what most monitors send on live values), S partial, and empty (Comen, NIST and
# others leave it empty on live numerics). C is a correction of a recorded value.
# X (cannot be obtained) is skipped as before. Refused, naming the row: W (wrong,
# retracted), D (delete), N (not asked), I (pending: no result yet).
RECORDED_STATUS = frozenset({"F", "P", "R", "S", ""})
CORRECTION = "C"
REFUSED_STATUS = {"W": "wrong (retracted)", "D": "deleted", "N": "not asked",
                  "I": "pending, no result yet"}
_ID_TYPES = frozenset({"EUI-64", "ISO", "DNS", "GUID", "UUID", "L", "M", "N"})
SENT_UNIT = {"kpa": "kPa", "fahrenheit": "°F"}   # how a converted value's unit is kept
# OBX-8 flags that say a value is not a patient's (a monitor in demo mode).
NOT_CLINICAL_FLAGS = frozenset({"DEMO"})


class Rejected(Exception):
    """The whole message is refused (AR): the reason names the field."""

    def __init__(self, reason: str, *, control_id: str = "", sender: tuple[str, str] = ("", ""),
                 err_code: str = "207", ack_code: str = "AR", echo: Echo = DEFAULT_ECHO) -> None:
        super().__init__(reason)
        self.echo = echo
        self.reason = reason
        self.control_id = control_id
        self.sender = sender
        self.err_code = err_code
        self.ack_code = ack_code


@dataclass(frozen=True)
class Sample:
    param: str
    value: float
    observed_at: datetime
    code: int
    rank: int
    episodic: bool
    correction: bool = False   # OBX-11 C: replaces the value recorded at this time
    as_sent: str = ""          # "5.3 kPa" when the value was converted to our unit


@dataclass
class Parsed:
    control_id: str
    sender: tuple[str, str]          # MSH-3.1 and MSH-4.1, echoed in the ACK
    device_id: str
    patient_id: str = ""             # PID-3.1: compared with the session's patient
    patient_name: str = ""           # PID-5 family, given: shown beside the id
    bed: str = ""                    # PV1-3 (point of care, room, bed)
    sender_name: str = ""            # OBX-18.2 or MSH-3.1: the monitor as people call it
    echo: Echo = DEFAULT_ECHO        # MSH-9.2, MSH-11, MSH-12: repeated in the ACK
    samples: list[Sample] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)   # code -> label
    problems: list[str] = field(default_factory=list)       # refused rows, with the reason
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> rows


def _raw_msh(data: bytes) -> list[str]:
    """MSH fields read straight from the bytes, for an ACK even when decoding fails.
    Index n holds MSH-(n+1): index 0 is 'MSH', index 1 the encoding characters."""
    start = data.find(b"MSH")
    if start < 0 or len(data) < start + 4:
        return []
    line = re.split(rb"[\r\n]", data[start:], maxsplit=1)[0]
    sep = line[3:4]
    if not sep:   # "MSH" ends its line: no field separator, no fields to read
        return []
    return [part.decode("utf-8", "replace") for part in [b"MSH", *line[4:].split(sep)]]


def _msh_field(raw: list[str], n: int, comp: int = 1) -> str:
    if n - 1 >= len(raw):
        return ""
    parts = raw[n - 1].split("^")
    return parts[comp - 1].strip() if comp - 1 < len(parts) else ""


def header_ids(data: bytes) -> tuple[str, tuple[str, str]]:
    """MSH-10 and the sender (MSH-3.1, MSH-4.1) read from raw bytes, for an ACK to a
    message that is not parsed (too large, or undecodable)."""
    raw = _raw_msh(data)
    return _msh_field(raw, 10), (_msh_field(raw, 3), _msh_field(raw, 4))


def header_echo(data: bytes) -> Echo:
    """MSH-9.2, MSH-11 and MSH-12 read from raw bytes, for the ACK's header."""
    raw = _raw_msh(data)
    return Echo(_msh_field(raw, 9, 2) or DEFAULT_ECHO.trigger,
                _msh_field(raw, 11) or DEFAULT_ECHO.processing_id,
                _msh_field(raw, 12) or DEFAULT_ECHO.version)


def decode(data: bytes) -> str:
    """Bytes to text by MSH-18 (UTF-8 unless it names ISO 8859-1); refuses invalid bytes."""
    raw = _raw_msh(data)
    control_id, sender = header_ids(data)
    echo = header_echo(data)
    if not raw:
        raise Rejected("not an HL7 message: no MSH segment", err_code="100",
                       control_id=control_id, sender=sender, echo=echo)
    charset = _msh_field(raw, 18).upper()
    if charset in ("8859/1", "ISO-8859-1", "ISO IR100"):
        return data.decode("latin-1")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(f"MSH-18 character set {charset or 'UTF-8 (default)'}: invalid byte "
                       f"sequence at byte {exc.start} (for example a lone surrogate); "
                       "send valid UTF-8 or declare 8859/1", err_code="102",
                       control_id=control_id, sender=sender, echo=echo) from exc


def parse_time(text: str, clinic_tz: tzinfo) -> datetime:
    """HL7 DTM to an aware datetime; a time without offset is in the clinic's zone."""
    m = _DTM.match(text)
    if not m:
        raise ValueError(f"'{text[:40]}' is not an HL7 time: YYYYMMDDHHMM[SS[.S]][+/-ZZZZ]")
    y, mo, d, h, mi, s, frac, off = m.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    zone: tzinfo = clinic_tz
    if off:
        sign = 1 if off[0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5])))
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"'{text[:40]}' is not a valid date and time ({exc})") from exc


def _device_id(segments: list[Segment]) -> str:
    for obx in (seg for seg in segments if seg.name == "OBX"):
        for comp in (1, 3):
            text = obx.get(18, comp)
            if _EUI64.match(text):
                return text.upper()
    msh = segments[0]
    if msh.get(3, 3).upper() == "EUI-64" and _EUI64.match(msh.get(3, 2)):
        return msh.get(3, 2).upper()
    sender = "/".join(p for p in (msh.get(3), msh.get(4)) if p)
    if sender:
        return sender
    for pv1 in (seg for seg in segments if seg.name == "PV1"):
        bed = re.sub(r"[\^&~]+", " ", pv1.raw(3)).strip()
        if bed:
            return f"bed {bed}"
    return ""


def _check_id(device: str, ctx: dict[str, Any]) -> str:
    if not device:
        raise Rejected("no device identity: OBX-18 (EUI-64), MSH-3/MSH-4 and PV1-3 are all "
                       "empty", err_code="101", **ctx)
    if len(device) > MAX_ID or any(ord(c) < 32 for c in device):
        raise Rejected(f"device identity '{device[:MAX_ID]}' must be printable and at most "
                       f"{MAX_ID} characters", err_code="102", **ctx)
    return device


def parse_message(data: bytes, clinic_tz: tzinfo) -> Parsed:
    """Parse one framed message (without the MLLP bytes)."""
    text = decode(data).replace("\r\n", "\r").replace("\n", "\r").strip("\r \t")
    control_id, sender = header_ids(data)
    ctx: dict[str, Any] = {"control_id": control_id, "sender": sender,
                           "echo": header_echo(data)}
    if not text.startswith("MSH"):
        raise Rejected("not an HL7 message: it must begin with the MSH segment",
                       err_code="100", **ctx)
    try:
        segments = parse(text)
    except Er7Error as exc:
        raise Rejected(f"not a readable HL7 message: {exc}", err_code="100", **ctx) from exc
    msh = segments[0]
    ctx["control_id"] = msh.get(10)
    kind = (msh.get(9, 1).upper(), msh.get(9, 2).upper())
    if kind != SUPPORTED:
        shown = "^".join(p for p in kind if p) or "(empty)"
        raise Rejected(f"MSH-9 message type {shown} is not supported: only ORU^R01 "
                       "(IHE PCD-01)", err_code="200", **ctx)
    if not ctx["control_id"]:
        raise Rejected("MSH-10 message control ID is missing", err_code="101", **ctx)
    out = Parsed(ctx["control_id"], ctx["sender"], _check_id(_device_id(segments), ctx),
                 echo=ctx["echo"])
    _identities(segments, out)
    msh_time = _time_or_none(msh.get(7), clinic_tz)
    obr_time: datetime | None = None
    for seg in segments:
        if seg.name == "OBR":
            obr_time = _time_or_none(seg.get(7), clinic_tz)
        elif seg.name == "OBX":
            _row(seg, out, obr_time or msh_time, clinic_tz)
    return out


def _identities(segments: list[Segment], out: Parsed) -> None:
    """Who the message is about and where it comes from, for the patient check and
    for every place a device is listed."""
    for seg in segments:
        if seg.name == "PID" and not out.patient_id:
            out.patient_id = _printable(seg.get(3))
            out.patient_name = _printable(", ".join(
                p for p in (seg.get(5, 1), seg.get(5, 2)) if p))
        elif seg.name == "PV1" and not out.bed:
            out.bed = _printable(" ".join(p for p in re.split(r"[\^&~]+", seg.raw(3)) if p))
        elif seg.name == "OBX" and not out.sender_name:
            name = _printable(seg.get(18, 2))
            if name.upper() not in _ID_TYPES:   # "id^EUI-64" names a type, not a monitor
                out.sender_name = name
    if not out.sender_name:
        out.sender_name = _printable(segments[0].get(3))


def _printable(text: str) -> str:
    return "".join(c for c in text if ord(c) >= 32)[:MAX_ID].strip()


def _time_or_none(text: str, clinic_tz: tzinfo) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text, clinic_tz)
    except ValueError:
        return None


def _skip(out: Parsed, why: str) -> None:
    out.skipped[why] = out.skipped.get(why, 0) + 1


def _row(obx: Segment, out: Parsed, fallback: datetime | None, clinic_tz: tzinfo) -> None:
    set_id = obx.get(1) or "?"
    value_type = obx.get(2).upper()
    code_text, label = obx.get(3, 1), obx.get(3, 2)
    where = f"OBX {set_id} ({label or code_text or 'no code'})"
    if not value_type:
        _skip(out, "containment")
        return
    status = obx.get(11).upper()
    if status == "X":
        _skip(out, "status X")
        return
    if value_type != "NM":
        _skip(out, "not numeric")
        return
    if status in REFUSED_STATUS:
        out.problems.append(f"{where}: OBX-11 status {status} ({REFUSED_STATUS[status]}) "
                            "is not a result: not recorded")
        return
    if status not in RECORDED_STATUS and status != CORRECTION:
        out.problems.append(f"{where}: OBX-11 status '{status[:5]}' is not allowed; expected "
                            "F, P, R, S, C (correction) or X")
        return
    if NOT_CLINICAL_FLAGS & {obx.get(8, 1, rep).upper() for rep in (1, 2, 3)}:
        _skip(out, "demo values (OBX-8 DEMO)")
        return
    code = code_number(code_text)
    mapping = CODES.get(code) if code is not None else None
    if mapping is None:
        out.unknown[code_text or "(empty)"] = label
        return
    value_text = obx.get(5)
    if not value_text:
        _skip(out, "no value")
        return
    if not _NUMBER.match(value_text):
        out.problems.append(f"{where}: OBX-5 '{value_text[:20]}' is not a number")
        return
    value = float(value_text)
    if is_placeholder(value):
        _skip(out, "placeholder")
        return
    unit = obx.get(6, 1)
    unit_code = code_number(unit) if "-" in unit else None   # MDIL notation
    kind = unit_kind(mapping.param, str(unit_code) if unit_code is not None else unit)
    if kind is None:
        out.problems.append(f"{where}: OBX-6 unit '{unit[:20] or '(empty)'}' is not allowed; "
                            f"expected {UNIT_NAMES[mapping.param]} (MDC or UCUM)")
        return
    as_sent = ""
    if kind != "ok":
        value = convert(kind, value_text)
        as_sent = f"{value_text} {SENT_UNIT[kind]}"
    when_text = obx.get(14)
    try:
        when = parse_time(when_text, clinic_tz) if when_text else fallback
    except ValueError as exc:
        out.problems.append(f"{where}: OBX-14 {exc}")
        return
    if when is None:
        out.problems.append(f"{where}: no time in OBX-14, OBR-7 or MSH-7")
        return
    out.samples.append(Sample(mapping.param, value, when, code or 0, mapping.rank,
                              mapping.episodic, status == CORRECTION, as_sent))
