"""Parse the optional "observed at" clock time a nurse types (HH:MM, today)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_HHMM = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def parse_clock_time(text: str, now: datetime) -> datetime | None:
    """'' → None (now); 'HH:MM' → that time today in local time, or yesterday if later
    than now by more than 12 h (a night shift typing 23:50 after midnight)."""
    if not text.strip():
        return None
    m = _HHMM.match(text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError("a clock time like 14:05, or blank for now")
    local_now = now.astimezone()
    when = local_now.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0,
                             microsecond=0)
    if when - local_now > timedelta(hours=12):
        when -= timedelta(days=1)
    return when


def observed_at(text: str, now: datetime) -> datetime | None:
    """Like ``parse_clock_time`` but a bad time is a ValidationError naming the field,
    so the panels show it next to their "Time" box like any other field error."""
    from monitor.errors import FieldError, ValidationError
    try:
        return parse_clock_time(text, now)
    except ValueError as exc:
        raise ValidationError([FieldError("observed_at", "Observed time", text,
                                          str(exc))]) from None
