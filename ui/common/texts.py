"""How the window words things: clock times, durations, parameter and limit
names as a monitor shows them, never as the code spells them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from monitor.model.parameters import PARAMETERS

LIMIT_NAMES = {"high_high": "upper limit, high alarm", "medium_high": "upper limit, warning",
               "medium_low": "lower limit, warning", "high_low": "lower limit, high alarm"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def limit_name(key: str) -> str:
    """'etco2.high_high' → 'EtCO2 (mmHg): upper limit, high alarm' (the registry's label
    and unit, as the value rail and the charts name the parameter)."""
    param, _, which = key.partition(".")
    p = PARAMETERS.get(param)
    return f"{p.titled if p else param}: {LIMIT_NAMES.get(which, which)}"


def clock(when: datetime) -> str:
    """Local wall-clock time, hh:mm."""
    return when.astimezone().strftime("%H:%M")


def span(delta: timedelta | float) -> str:
    """'45 s', '2 min', '2 h 05 min'."""
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    seconds = max(0, seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def plain_times(text: str) -> str:
    """Replace ISO timestamps in a message (from the core) by local hh:mm."""
    def local(m: re.Match[str]) -> str:
        try:
            return clock(datetime.fromisoformat(m.group(0).replace("Z", "+00:00")))
        except ValueError:
            return m.group(0)
    return _ISO.sub(local, text)
