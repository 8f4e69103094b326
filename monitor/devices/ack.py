"""HL7 original-mode acknowledgements: AA, AE or AR, with the reason in MSA-3 and ERR."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import NamedTuple

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


class Echo(NamedTuple):
    """What the ACK's header repeats from the message it answers."""

    trigger: str = "R01"        # MSH-9.2: ACK^R01 answers ORU^R01, ACK^A01 an ADT^A01
    processing_id: str = "P"    # MSH-11 (P production, T training, D debugging)
    version: str = "2.6"        # MSH-12


DEFAULT_ECHO = Echo()
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if not n:
            return out


class AckIds:
    """ACK control ids unique across restarts: the start instant (microseconds, base
    36) then a counter, at most 20 characters (the MSH-10 length of HL7 2.5)."""

    def __init__(self, start_us: int | None = None) -> None:
        self._prefix = "A" + _base36(start_us if start_us is not None
                                     else time.time_ns() // 1000)
        self._count = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._count)}"[:20]


def build_ack(code: str, control_id: str, sender: tuple[str, str], now: datetime,
              ack_id: str, reason: str = "", err_code: str = "207",
              echo: Echo = DEFAULT_ECHO) -> bytes:
    """One ACK message (without MLLP framing), UTF-8, its MSH-9 trigger, MSH-11 and
    MSH-12 echoing the message it answers.

    ``code`` is AA, AE or AR; ``reason`` goes to MSA-3 (read by older
    gateways) and to ERR-3/ERR-8 (HL7 2.5+), with ``err_code`` from HL7
    table 0357 (100 segment sequence, 101 required field missing, 102 data
    type error, 200 unsupported message type, 207 application error).
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    segments = [
        f"MSH|^~\\&|{APP}||{escape(sender[0])}|{escape(sender[1])}|{stamp}||"
        f"ACK^{escape(echo.trigger)}^ACK|{escape(ack_id)}|{escape(echo.processing_id)}|"
        f"{escape(echo.version)}",
        f"MSA|{code}|{escape(control_id)}" + (f"|{escape(reason[:200])}" if reason else ""),
    ]
    if code != "AA" and reason:
        text = escape(reason[:500])
        segments.append(f"ERR|||{err_code}^{text}^HL70357|E||||{text}")
    return ("\r".join(segments) + "\r").encode("utf-8")
