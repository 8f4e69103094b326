"""What a latched alarm row says when its condition is no longer found.

Before discharge the rules still run: the condition is gone because the value came
back in range. After discharge the rules stop, so an alarm still latched says that
monitoring ended with it active, and whether its value was ever measured again.
"""

from __future__ import annotations

from monitor.model.parameters import fmt, label
from monitor.model.session import AlarmState, Session

BACK_IN_RANGE = "LATCHED: back in range, acknowledge to clear"


def latched_text(session: Session, alarm: AlarmState) -> str:
    ended = session.discharged_at
    if ended is None:
        return BACK_IN_RANGE
    when = f"{ended.astimezone():%H:%M}"
    series = session.series.get(alarm.parameter)
    if series is None:  # a derived alarm (NEWS2, combined, dose): no single reading
        return f"NOT RESOLVED: discharged {when} with it active"
    since = alarm.escalated_at or alarm.raised_at
    latest = series.last_valid()
    if latest is None or latest[0] <= since.timestamp():
        return f"NOT RE-MEASURED since the alarm; discharged {when}"
    return (f"NOT RESOLVED: discharged {when}; last {label(alarm.parameter)} "
            f"{fmt(latest[1])} not checked")
