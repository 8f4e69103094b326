"""The log's rows for a long session, Qt-free: a minute of 1 Hz device samples is one
row unless the nurse asks for every sample, and times carry their date once a
session crosses midnight."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from monitor.model.events import Event, EventKind
from monitor.model.parameters import fmt, label

MINUTE = timedelta(minutes=1)


def order(ev: Event) -> tuple[datetime, int]:
    return ev.observed_at, ev.seq


def is_device_sample(ev: Event) -> bool:
    return ev.kind == EventKind.VITALS and ev.source == "device"


def is_manual(ev: Event) -> bool:
    """An entry a person made (typed or picked), not a device sample or a rule's decision."""
    return ev.source == "manual"


def minute_of(ev: Event) -> datetime:
    return ev.observed_at.replace(second=0, microsecond=0)


@dataclass
class DeviceMinute:
    """The device samples observed within one minute, shown as one row."""

    minute: datetime
    events: list[Event] = field(default_factory=list)
    source: ClassVar[str] = "device"

    def key(self) -> tuple[datetime, int]:
        return order(self.events[0])

    @property
    def seq(self) -> int:
        return self.events[0].seq

    @property
    def observed_at(self) -> datetime:
        return self.events[0].observed_at

    def add(self, ev: Event) -> None:
        self.events.insert(bisect_right(self.events, order(ev), key=order), ev)

    def summary(self) -> str:
        """Each parameter's range over the minute: "HR 72–75 · SpO2 97–98"."""
        values: dict[str, list[float]] = {}
        for ev in self.events:
            for name, value in ev.payload.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values.setdefault(name, []).append(value)
        parts = []
        for name, got in values.items():
            low, high = min(got), max(got)
            shown = fmt(low) if low == high else f"{fmt(low)}–{fmt(high)}"
            parts.append(f"{label(name)} {shown}")
        return " · ".join(parts)

    def kind(self) -> str:
        """What the row is: "vitals 1 min ×60" (a minute of 60 samples)."""
        return f"vitals 1 min ×{len(self.events)}"


Row = Event | DeviceMinute


def row_key(row: Row) -> tuple[datetime, int]:
    return row.key() if isinstance(row, DeviceMinute) else order(row)


def build_rows(events: list[Event], fold: bool) -> tuple[list[Row], dict[datetime, DeviceMinute]]:
    """Rows in time order; with ``fold``, each minute's device samples as one row (a
    minute with one sample stays that sample)."""
    ordered = sorted(events, key=order)  # a new list: the session's stays as it is
    if not fold:
        unfolded: list[Row] = list(ordered)
        return unfolded, {}
    minutes: dict[datetime, DeviceMinute] = {}
    rows: list[Row] = []
    vitals = EventKind.VITALS
    group: DeviceMinute | None = None
    end = start = datetime.min.replace(tzinfo=UTC)
    for ev in ordered:  # 86,000 events in a 24 h session: one comparison for most
        if ev.kind is not vitals or ev.source != "device":
            rows.append(ev)
            continue
        t = ev.observed_at
        if group is None or not start <= t < end:
            m = minute_of(ev)
            group = minutes.get(m)
            if group is None:
                group = minutes[m] = DeviceMinute(m)
                rows.append(group)
            start, end = m, m + MINUTE
        group.events.append(ev)
    return rows, minutes


def spans_days(first: datetime, last: datetime) -> bool:
    return first.astimezone().date() != last.astimezone().date()


def time_text(when: datetime, *, dated: bool, seconds: bool = False) -> str:
    """Local wall-clock time; with ``dated``, the day first ("7 Dec 00:31")."""
    local = when.astimezone()
    text = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{local.day} {local:%b} {text}" if dated else text
