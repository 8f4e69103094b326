"""The charts' clock labels: hh:mm, with the date on the first tick and where the
day changes once the ticks span more than one day (a 24 h session's "All")."""

from __future__ import annotations

from datetime import datetime


def tick_labels(times: list[datetime]) -> list[str]:
    """Labels for ticks at ``times`` (local, in order)."""
    dated = len({t.date() for t in times}) > 1
    labels = []
    previous = None
    for t in times:
        text = t.strftime("%H:%M")
        if dated and t.date() != previous:
            text = f"{t.day} {t:%b} {text}"
        previous = t.date()
        labels.append(text)
    return labels
