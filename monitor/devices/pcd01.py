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

import hl7

from monitor.devices.mdc import CODES, UNIT_NAMES, code_number, is_placeholder, unit_kind

SUPPORTED = ("ORU", "R01")
MAX_ID = 64
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DTM = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$")
_EUI64 = re.compile(r"^[0-9A-Fa-f]{16}$")


class Rejected(Exception):
    """The whole message is refused (AR): the reason names the field."""

    def __init__(self, reason: str, *, control_id: str = "", sender: tuple[str, str] = ("", ""),
                 err_code: str = "207", ack_code: str = "AR") -> None:
        super().__init__(reason)
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


@dataclass
class Parsed:
    control_id: str
    sender: tuple[str, str]          # MSH-3.1 and MSH-4.1, echoed in the ACK
    device_id: str
    samples: list[Sample] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)   # code -> label
    problems: list[str] = field(default_factory=list)       # refused rows, with the reason
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> rows


def _f(seg: Any, num: int, comp: int = 1, rep: int = 1) -> str:
    """One field component, '' when absent (gateways truncate trailing fields)."""
    try:
        return str(seg.extract_field(1, num, rep, comp)).strip()
    except (IndexError, AttributeError):
        return ""


def _raw_msh(data: bytes) -> list[str]:
    """MSH fields read straight from the bytes, for an ACK even when decoding fails.
    Index n holds MSH-(n+1): index 0 is 'MSH', index 1 the encoding characters."""
    start = data.find(b"MSH")
    if start < 0 or len(data) < start + 4:
        return []
    line = re.split(rb"[\r\n]", data[start:], maxsplit=1)[0]
    sep = line[3:4]
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


def decode(data: bytes) -> str:
    """Bytes to text by MSH-18 (UTF-8 unless it names ISO 8859-1); refuses invalid bytes."""
    raw = _raw_msh(data)
    ctx = {"control_id": _msh_field(raw, 10), "sender": (_msh_field(raw, 3), _msh_field(raw, 4))}
    if not raw:
        raise Rejected("not an HL7 message: no MSH segment", err_code="100", **ctx)  # type: ignore[arg-type]
    charset = _msh_field(raw, 18).upper()
    if charset in ("8859/1", "ISO-8859-1", "ISO IR100"):
        return data.decode("latin-1")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(f"MSH-18 character set {charset or 'UTF-8 (default)'}: invalid byte "
                       f"sequence at byte {exc.start} (for example a lone surrogate); "
                       "send valid UTF-8 or declare 8859/1", err_code="102", **ctx) from exc  # type: ignore[arg-type]


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


def _device_id(msg: Any) -> str:
    for obx in msg.segments("OBX") if _has(msg, "OBX") else []:
        for comp in (1, 3):
            text = _f(obx, 18, comp)
            if _EUI64.match(text):
                return text.upper()
    msh = msg.segment("MSH")
    if _f(msh, 3, 3).upper() == "EUI-64" and _EUI64.match(_f(msh, 3, 2)):
        return _f(msh, 3, 2).upper()
    sender = "/".join(p for p in (_f(msh, 3), _f(msh, 4)) if p)
    if sender:
        return sender
    if _has(msg, "PV1"):
        bed = re.sub(r"[\^&~]+", " ", str(msg.segment("PV1")(3)) if len(msg.segment("PV1")) > 3
                     else "").strip()
        if bed:
            return f"bed {bed}"
    return ""


def _has(msg: Any, name: str) -> bool:
    return any(str(seg[0]) == name for seg in msg)


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
    raw = _raw_msh(data)
    ctx: dict[str, Any] = {"control_id": _msh_field(raw, 10),
                           "sender": (_msh_field(raw, 3), _msh_field(raw, 4))}
    if not text.startswith("MSH"):
        raise Rejected("not an HL7 message: it must begin with the MSH segment",
                       err_code="100", **ctx)
    try:
        msg = hl7.parse(text)
        msh = msg.segment("MSH")
    except Exception as exc:  # python-hl7 raises several types on malformed input
        raise Rejected(f"not a readable HL7 message ({type(exc).__name__}: {exc})",
                       err_code="100", **ctx) from exc
    ctx["control_id"] = _f(msh, 10)
    kind = (_f(msh, 9, 1).upper(), _f(msh, 9, 2).upper())
    if kind != SUPPORTED:
        shown = "^".join(p for p in kind if p) or "(empty)"
        raise Rejected(f"MSH-9 message type {shown} is not supported: only ORU^R01 "
                       "(IHE PCD-01)", err_code="200", **ctx)
    if not ctx["control_id"]:
        raise Rejected("MSH-10 message control ID is missing", err_code="101", **ctx)
    out = Parsed(ctx["control_id"], ctx["sender"], _check_id(_device_id(msg), ctx))
    msh_time = _time_or_none(_f(msh, 7), clinic_tz)
    obr_time: datetime | None = None
    for seg in msg:
        name = str(seg[0])
        if name == "OBR":
            obr_time = _time_or_none(_f(seg, 7), clinic_tz)
        elif name == "OBX":
            _row(seg, out, obr_time or msh_time, clinic_tz)
    return out


def _time_or_none(text: str, clinic_tz: tzinfo) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text, clinic_tz)
    except ValueError:
        return None


def _skip(out: Parsed, why: str) -> None:
    out.skipped[why] = out.skipped.get(why, 0) + 1


def _row(obx: Any, out: Parsed, fallback: datetime | None, clinic_tz: tzinfo) -> None:
    set_id = _f(obx, 1) or "?"
    value_type = _f(obx, 2).upper()
    code_text, label = _f(obx, 3, 1), _f(obx, 3, 2)
    where = f"OBX {set_id} ({label or code_text or 'no code'})"
    if not value_type:
        _skip(out, "containment")
        return
    if _f(obx, 11).upper() == "X":
        _skip(out, "status X")
        return
    if value_type != "NM":
        _skip(out, "not numeric")
        return
    code = code_number(code_text)
    mapping = CODES.get(code) if code is not None else None
    if mapping is None:
        out.unknown[code_text or "(empty)"] = label
        return
    value_text = _f(obx, 5)
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
    unit = _f(obx, 6, 1)
    unit_code = code_number(unit) if "-" in unit else None   # MDIL notation
    kind = unit_kind(mapping.param, str(unit_code) if unit_code is not None else unit)
    if kind is None:
        out.problems.append(f"{where}: OBX-6 unit '{unit[:20] or '(empty)'}' is not allowed; "
                            f"expected {UNIT_NAMES[mapping.param]} (MDC or UCUM)")
        return
    if kind == "fahrenheit":
        value = round((value - 32.0) * 5.0 / 9.0, 1)
    when_text = _f(obx, 14)
    try:
        when = parse_time(when_text, clinic_tz) if when_text else fallback
    except ValueError as exc:
        out.problems.append(f"{where}: OBX-14 {exc}")
        return
    if when is None:
        out.problems.append(f"{where}: no time in OBX-14, OBR-7 or MSH-7")
        return
    out.samples.append(Sample(mapping.param, value, when, code or 0, mapping.rank,
                              mapping.episodic))
