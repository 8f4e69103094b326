"""The clinic's time zone for device times sent without a UTC offset: an IANA
zone (a setting, else this computer's zone), never a fixed offset, so a
time read after a daylight-saving change is still right."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from monitor.errors import MonitorError

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


def zone(name: str) -> ZoneInfo:
    """An IANA zone by name; a wrong name is refused with an example."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:   # "Europe" is a folder
        raise MonitorError(f"time zone {name!r} is not an IANA zone name (for example "
                           "Europe/Berlin or America/New_York)") from exc


def machine_zone_name(localtime: Path = LOCALTIME, timezone_file: Path = TIMEZONE_FILE) -> str:
    """This computer's IANA zone name: $TZ, /etc/timezone, or where /etc/localtime
    points; 'UTC' when none of them names a zone."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    try:
        target = str(localtime.resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
            return name
    return "UTC"


def zone_names() -> list[str]:
    """Every IANA zone name this computer knows, sorted (for a chooser)."""
    return sorted(available_timezones())
