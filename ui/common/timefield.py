"""Parse the optional "observed at" clock time a nurse types (HH:MM, today) as a local
wall-clock time in the clinic's IANA zone (monitor/wallclock.py: right across a
daylight-saving change; an ambiguous or non-existent time is said)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from monitor.errors import FieldError, ValidationError
from monitor.wallclock import WallTime, clinic_zone, parse_wall_clock


def parse_clock_time(text: str, now: datetime, zone: tzinfo | None = None) -> datetime | None:
    """'' → None (now); 'HH:MM' → that time today in the clinic's zone, or yesterday if
    later than now by more than 12 h (a night shift typing 23:50 after midnight)."""
    found = parse_wall_clock(text, now, zone or clinic_zone())
    return None if found is None else found.when


def wall_time(text: str, now: datetime, zone: tzinfo | None = None) -> WallTime | None:
    """Like ``observed_at`` but keeps what the nurse must be told (an ambiguous time)."""
    try:
        return parse_wall_clock(text, now, zone or clinic_zone())
    except ValueError as exc:
        raise ValidationError([FieldError("observed_at", "Observed time", text,
                                          str(exc))]) from None


def observed_at(text: str, now: datetime, zone: tzinfo | None = None) -> datetime | None:
    """Like ``parse_clock_time`` but a bad time is a ValidationError naming the field,
    so the panels show it next to their "Time" box like any other field error."""
    found = wall_time(text, now, zone)
    return None if found is None else found.when
