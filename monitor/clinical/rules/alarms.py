"""Alarm lifecycle with monitor semantics (IEC 60601-1-8, docs/alarms-and-protocols.md).

Given the folded alarm state and the conditions at ``now``, decide which
events to append: raise, escalate, re-announce, resolve, end an audio pause.
High alarms latch: when the condition clears they stay until acknowledged.
An acknowledged alarm still active after ``reannounce_min`` comes back
(unacknowledged). An acknowledgement holds only for the priority it was given
at: a row that worsens past it is announced again (it sounds, and latches when
high; the fold drops the acknowledgement on escalation). An acknowledged row
whose reasons ease shows their priority (the same event, lower priority; the
acknowledgement stays). A medium alarm left unacknowledged for
``escalate_medium_min`` since it was last announced escalates to high.
A new alarm of higher priority than any active at pause time ends an audio
pause early. Overdue-observation alarms never escalate to high and never
latch (docs/alarms-and-protocols.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.artifacts import ended_by_flags, readings_behind
from monitor.clinical.rules.condition import Condition
from monitor.clinical.rules.persistence import streamed_now
from monitor.clinical.rules.schedule import OBSERVATIONS, observation_schedule
from monitor.clock import to_iso
from monitor.model.events import EventKind
from monitor.model.session import PRIORITY_RANK, Priority, Session

Draft = tuple[EventKind, dict[str, Any]]
READING_RULES = ("limit", "relative", "rate", "assessment")  # a reading drives these
# A parameter -> the observation round of the schedule that measures it again.
SCHEDULE_KEY = {p: key for key, (_label, params) in OBSERVATIONS.items() for p in params}
SCHEDULE_KEY.update(moaas="sedation", rass="sedation")


def lifecycle(session: Session, conditions: Mapping[str, Condition], protocol: Protocol,
              now: datetime) -> list[Draft]:
    reannounce = timedelta(minutes=float(protocol.alarms.reannounce_min))
    escalate = timedelta(minutes=float(protocol.alarms.escalate_medium_min))
    # An alarm resting on a reading flagged as artifact ends, latched or not; what
    # holds without that reading is raised anew at its own priority.
    ended = ended_by_flags(session)
    drafts: list[Draft] = [(EventKind.ALARM_RESOLVED, {"alarm_id": alarm_id, "reason": why})
                           for alarm_id, why in sorted(ended.items())]
    new_rank = 0
    for key, cond in conditions.items():
        alarm_id = session.active_alarm_by_key.get(key)
        if alarm_id is None or alarm_id in ended:
            drafts.append((EventKind.ALARM_RAISED, {
                "key": key, "rule": cond.rule, "parameter": cond.parameter,
                "priority": cond.priority, "message": cond.message,
                "value": cond.value, "limit": cond.limit, "also": list(cond.also),
                "readings": _readings(session, protocol, cond, now)}))
            new_rank = max(new_rank, cond.rank)
            continue
        alarm = session.alarms[alarm_id]
        if cond.rank > alarm.rank:
            drafts.append((EventKind.ALARM_ESCALATED, {
                "alarm_id": alarm_id, "priority": cond.priority, "message": cond.message,
                "reason": (f"worsened past the {alarm.priority} it was acknowledged at: "
                           "announced again" if alarm.acknowledged else "condition worsened"),
                "readings": _readings(session, protocol, cond, now)}))
            new_rank = max(new_rank, cond.rank)
        elif alarm.acknowledged and cond.rank < alarm.rank:
            # Seen at its priority, the latch is released: the row now shows what still
            # holds, at that reason's own priority (the acknowledgement covers it).
            drafts.append((EventKind.ALARM_ESCALATED, {
                "alarm_id": alarm_id, "priority": cond.priority, "message": cond.message,
                "reason": f"eased to {cond.priority} after acknowledgement at {alarm.priority}",
                "readings": _readings(session, protocol, cond, now)}))
        elif alarm.acknowledged and now >= (again := reannounce_at(
                session, protocol, cond, alarm.acknowledged_at, now)):  # type: ignore[arg-type]
            drafts.append((EventKind.ALARM_REANNOUNCED, {
                "alarm_id": alarm_id, "message": cond.message,
                "reason": (f"still active {reannounce.seconds // 60} min after acknowledgement"
                           if again == alarm.acknowledged_at + reannounce  # type: ignore[operator]
                           else "still active when its reading was due again")}))
        elif (alarm.priority is Priority.MEDIUM and not alarm.acknowledged
              and cond.rule != "overdue"
              and now - alarm.last_announced_at >= escalate):  # type: ignore[operator]
            drafts.append((EventKind.ALARM_ESCALATED, {
                "alarm_id": alarm_id, "priority": Priority.HIGH,
                "message": f"{cond.message} (unacknowledged {escalate.seconds // 60} min)",
                "reason": "unacknowledged"}))
            new_rank = max(new_rank, PRIORITY_RANK[Priority.HIGH])
    for key, alarm_id in session.active_alarm_by_key.items():
        if key in conditions or alarm_id in ended:
            continue
        alarm = session.alarms[alarm_id]
        if alarm.priority is Priority.HIGH and not alarm.acknowledged:
            continue  # latched until acknowledged
        drafts.append((EventKind.ALARM_RESOLVED, {"alarm_id": alarm_id,
                                                  "reason": "condition cleared"}))
    pause = session.audio_pause
    if pause is not None:
        if new_rank > pause.rank_at_pause:
            drafts.append((EventKind.AUDIO_PAUSE_ENDED, {"reason": "higher-priority alarm"}))
        elif now >= pause.until:
            drafts.append((EventKind.AUDIO_PAUSE_ENDED, {"reason": "pause expired"}))
    return drafts


def _readings(session: Session, protocol: Protocol, cond: Condition,
              now: datetime) -> list[list[int | str]]:
    return [[seq, name] for seq, name in readings_behind(session, protocol, cond, now)]


def reannounce_at(session: Session, protocol: Protocol, cond: Condition,
                  acknowledged_at: datetime, now: datetime) -> datetime:
    """When an acknowledged, still-active alarm comes back: ``reannounce_min`` after the
    acknowledgement, or for an episodic reading (NIBP, a nurse's entry), which cannot
    change before the next one, when that reading is due again (CLINICAL §5)."""
    after = acknowledged_at + timedelta(minutes=float(protocol.alarms.reannounce_min))
    key = SCHEDULE_KEY.get(cond.parameter)
    if cond.rule not in READING_RULES or key is None or streamed_now(session, cond.parameter):
        return after
    due = next((d.due_at for d in observation_schedule(session, protocol, now)
                if d.key == key), None)
    return after if due is None else max(after, due)


def audio_pause_payload(session: Session, protocol: Protocol, now: datetime) -> dict[str, Any]:
    seconds = float(protocol.alarms.audio_pause_s)
    rank = max((a.rank for a in session.active_alarms()), default=0)
    return {"until": to_iso(now + timedelta(seconds=seconds)), "rank_at_pause": rank}


def sounding(session: Session, now: datetime) -> Priority | None:
    """Priority that should sound now (unacknowledged, not paused), or None."""
    pause = session.audio_pause
    unacked = [a for a in session.active_alarms() if not a.acknowledged]
    if not unacked:
        return None
    top = max(unacked, key=lambda a: a.rank)
    if pause is not None and now < pause.until and top.rank <= pause.rank_at_pause:
        return None
    return top.priority
