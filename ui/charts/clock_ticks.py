"""The charts' clock labels: hh:mm, each with its date once the ticks or the view
span more than one day (a 24 h session's "All"; the axis drops a label that does
not fit, so no single tick can be trusted to carry the date for the others)."""

from __future__ import annotations

from datetime import datetime


def tick_labels(times: list[datetime], view: tuple[datetime, datetime] | None = None
                ) -> list[str]:
    """Labels for ticks at ``times`` (local); dated when the ticks or the ``view`` they
    are drawn in (its first and last instant) span more than one day."""
    days = {t.date() for t in times} | ({d.date() for d in view} if view else set())
    if len(days) > 1:
        return [f"{t.day} {t:%b} {t:%H:%M}" for t in times]
    return [t.strftime("%H:%M") for t in times]


LABEL_PX = 110  # a dated label ("30 Dec 00:00") and the gap to the next
STEPS_MIN = (10, 15, 30, 60, 120, 180, 240, 360, 480, 720, 1440)


def spans_days(ref: float, low: float, high: float) -> bool:
    """Whether minutes ``low``..``high`` after the epoch second ``ref`` cross midnight."""
    return (datetime.fromtimestamp(ref + low * 60.0).date()
            != datetime.fromtimestamp(ref + high * 60.0).date())


def dated_spacing(ref: float, low: float, high: float, size: float
                  ) -> list[tuple[float, float]]:
    """One level of ticks for a view across midnight: whole hours, far enough apart
    for dated labels, aligned on local midnight (x in minutes after ``ref``)."""
    span = max(high - low, 1e-6)
    step = next((s for s in STEPS_MIN if size * s / span >= LABEL_PX), STEPS_MIN[-1])
    start = datetime.fromtimestamp(ref + low * 60.0)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    return [(float(step), ((midnight - ref) / 60.0) % step)]


CLOCK_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440)
LABEL_GAP_PX = 12  # between two clock labels


def clock_spacing(low: float, high: float, size: float, label_px: float
                  ) -> list[tuple[float, float]]:
    """One level of ticks for a view within one day: the smallest whole-minute step
    at which each hh:mm label (``label_px`` wide) and a gap fit between two ticks, so
    the labels never run together however narrow a side panel leaves the charts."""
    span = max(high - low, 1e-6)
    need = label_px + LABEL_GAP_PX
    step = next((s for s in CLOCK_STEPS_MIN if size * s / span >= need), CLOCK_STEPS_MIN[-1])
    return [(float(step), 0.0)]
