"""Clock times typed at the bedside ("14:05") as instants, in the clinic's IANA time zone.

A typed time is a local wall-clock time: it is read in the zone's rules for that date,
so it stays right across a daylight-saving change. In spring one local hour never
happens (01:00–02:00 in London on the last Sunday of March): a time in it is refused
with what the clock showed instead. In autumn one local hour happens twice: the latest
occurrence that is not in the future is taken, and the result says which one.

The zone is the setting (``KETAMINE_MONITOR_TZ``, an IANA name such as Europe/London),
else this computer's zone by its IANA name (``TZ``, /etc/localtime), never a fixed
offset (a fixed offset is what put back-dated times an hour off across the change).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError

ZONE_ENV = "KETAMINE_MONITOR_TZ"
_HHMM = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


@dataclass(frozen=True)
class WallTime:
    local: datetime  # the wall-clock time, aware in the clinic's zone (for display)
    note: str = ""   # said to the nurse when the local time was ambiguous

    @property
    def when(self) -> datetime:
        """The instant, in UTC: an ambiguous local time (fold=1) compares wrongly with
        other zones (PEP 495), an instant never does."""
        return self.local.astimezone(UTC)


def clinic_zone(name: str | None = None) -> tzinfo:
    """The clinic's zone: ``name``, else the setting, else this computer's IANA zone."""
    name = name or os.environ.get(ZONE_ENV)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"time zone setting {ZONE_ENV}={name!r}: not an IANA zone "
                              "name (for example Europe/London)") from exc
    return machine_zone()


def machine_zone() -> tzinfo:
    tz = os.environ.get("TZ", "").lstrip(":")
    for candidate in (tz, _localtime_name()):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    local = Path("/etc/localtime")
    if local.is_file():
        with local.open("rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    return datetime.now(UTC).astimezone().tzinfo or UTC


def _localtime_name() -> str:
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return ""
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""


def _exists(naive: datetime, zone: tzinfo, fold: int) -> datetime | None:
    """The instant ``naive`` names in ``zone`` with ``fold``, or None when that local
    time never happened (the spring gap)."""
    aware = naive.replace(tzinfo=zone, fold=fold)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return aware if back == naive else None


def parse_wall_clock(text: str, now: datetime, zone: tzinfo) -> WallTime | None:
    """'' → None (now); 'HH:MM' → that wall-clock time today in ``zone``, or yesterday
    when it would be more than 12 h ahead (a night shift typing 23:50 after midnight).
    Raises ValueError with what is allowed."""
    if not text.strip():
        return None
    m = _HHMM.match(text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError("a clock time like 14:05, or blank for now")
    local_now = now.astimezone(zone)
    naive = local_now.replace(tzinfo=None, hour=int(m.group(1)), minute=int(m.group(2)),
                              second=0, microsecond=0)
    if naive - local_now.replace(tzinfo=None) > timedelta(hours=12):
        naive -= timedelta(days=1)
    first, second = _exists(naive, zone, 0), _exists(naive, zone, 1)
    if first is None or second is None:
        raise ValueError(f"{naive:%H:%M} did not exist on {naive:%d %b} (the clocks "
                         "went forward): type the time the clock showed")
    if first.utcoffset() == second.utcoffset():
        return WallTime(first)
    # The autumn hour that happens twice: the latest one not in the future.
    late_ok = second.astimezone(UTC) <= now.astimezone(UTC) + timedelta(minutes=1)
    chosen, other = (second, first) if late_ok else (first, second)
    return WallTime(chosen, f"{naive:%H:%M} happened twice (the clocks went back): taken "
                            f"as the {'second' if late_ok else 'first'} one, "
                            f"{chosen:%H:%M %Z}, not {other:%H:%M %Z}")
