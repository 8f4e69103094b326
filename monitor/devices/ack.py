"""HL7 original-mode acknowledgements: AA, AE or AR, with the reason in MSA-3 and ERR."""

from __future__ import annotations

from datetime import UTC, datetime

APP = "KETAMINE-MONITOR"
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("~", "\\R\\"), ("&", "\\T\\"))


def escape(text: str) -> str:
    """Make free text safe inside one HL7 component; control characters become spaces."""
    for raw, esc in _ESCAPES:
        text = text.replace(raw, esc)
    return "".join(c if ord(c) >= 32 else " " for c in text)


def unescape(text: str) -> str:
    for raw, esc in reversed(_ESCAPES):
        text = text.replace(esc, raw)
    return text


def build_ack(code: str, control_id: str, sender: tuple[str, str], now: datetime,
              ack_id: str, reason: str = "", err_code: str = "207") -> bytes:
    """One ACK^R01 message (without MLLP framing), UTF-8.

    ``code`` is AA, AE or AR; ``reason`` goes to MSA-3 (read by older
    gateways) and to ERR-3/ERR-8 (HL7 2.5+), with ``err_code`` from HL7
    table 0357 (100 segment sequence, 101 required field missing, 102 data
    type error, 200 unsupported message type, 207 application error).
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    segments = [
        f"MSH|^~\\&|{APP}||{escape(sender[0])}|{escape(sender[1])}|{stamp}||ACK^R01^ACK|"
        f"{escape(ack_id)}|P|2.6",
        f"MSA|{code}|{escape(control_id)}" + (f"|{escape(reason[:200])}" if reason else ""),
    ]
    if code != "AA" and reason:
        text = escape(reason[:500])
        segments.append(f"ERR|||{err_code}^{text}^HL70357|E||||{text}")
    return ("\r".join(segments) + "\r").encode("utf-8")
