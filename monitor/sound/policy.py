"""What should sound now, and how loud: the session's alarms, its audio pause,
the bedside sound setting and the clock in; at most one burst to start out.

The same policy serves the bedside and a central board: a board ignores the
bedside's quiet setting and always sounds the full signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.clinical.rules.alarms import sounding
from monitor.model.session import Priority, Session
from monitor.sound.config import SoundConfig

MODES = {
    "full": "Full",
    "quiet": "Quiet (lower volume)",
    "high_only": "High priority only",
}
STATIONS = ("bedside", "board")


@dataclass(frozen=True)
class Cue:
    """One burst to start: when, which priority, at what volume (0..1), and why."""

    at: datetime
    priority: Priority
    volume: float
    why: str


def volume_for(config: SoundConfig, priority: Priority, mode: str,
               station: str = "bedside") -> float:
    """Volume of ``priority`` under a bedside sound setting. High priority never
    drops to zero: "quiet" lowers it, "high only" keeps it at full."""
    full = config.pattern(priority).volume
    if station == "board" or mode == "full":
        return full
    if mode == "quiet":
        return min(full, config.quiet_volume)
    if mode == "high_only":
        return full if priority == Priority.HIGH else 0.0
    raise ValueError(f"unknown sound mode {mode!r}; allowed: {', '.join(MODES)}")


class SoundScheduler:
    """Call ``update`` on every rules evaluation (the window does once a second).

    A burst starts when something starts sounding, when the priority or volume
    changes (escalation, a higher alarm breaking the pause, a setting change),
    and again after the pattern's burst plus interburst interval.
    """

    def __init__(self, config: SoundConfig, station: str = "bedside") -> None:
        if station not in STATIONS:
            raise ValueError(f"unknown station {station!r}; allowed: {', '.join(STATIONS)}")
        self.config = config
        self.station = station
        self._last: Cue | None = None

    def update(self, session: Session, now: datetime) -> Cue | None:
        priority = sounding(session, now)
        volume = 0.0 if priority is None else volume_for(
            self.config, priority, session.sound_mode, self.station)
        if priority is None or volume <= 0.0:
            self._last = None
            return None
        last = self._last
        if last is not None and (last.priority, last.volume) == (priority, volume):
            period = self.config.pattern(priority).period_s
            if period is None or (now - last.at).total_seconds() < period:
                return None
            why = "repeat"
        else:
            why = "start" if last is None else "changed"
        self._last = Cue(now, priority, volume, why)
        return self._last
