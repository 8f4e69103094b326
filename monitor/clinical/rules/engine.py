"""The rules engine: a session and an instant in, decisions out.

Never reads the wall clock; the same session and ``now`` give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.alarms import Draft, lifecycle
from monitor.clinical.rules.baseline_offer import LimitOffer, limit_offers
from monitor.clinical.rules.condition import Condition
from monitor.clinical.rules.conditions import alarm_conditions, due_list, evaluate_conditions
from monitor.clinical.rules.news2 import News2Result
from monitor.clinical.rules.schedule import Due, MinObservation, min_observation
from monitor.model.session import AlarmState, Session


@dataclass(frozen=True)
class Evaluation:
    now: datetime
    conditions: dict[str, Condition]
    drafts: list[Draft]
    news2: News2Result
    schedule: list[Due] = field(default_factory=list)
    min_observation: MinObservation | None = None
    limit_offers: list[LimitOffer] = field(default_factory=list)  # baseline beyond a limit

    def live_message(self, key: str, fallback: str) -> str:
        cond = self.conditions.get(key)
        return cond.message if cond else fallback

    def alarm_text(self, alarm: AlarmState) -> str:
        """What the banner, the acknowledge prompt and the history say of an alarm:
        its reason as it stands now when that reason is at the alarm's priority,
        else the reason it was raised or escalated for (a lower reason never shows
        under a higher priority's word)."""
        cond = self.conditions.get(alarm.key)
        return cond.message if cond is not None and cond.priority == alarm.priority else (
            alarm.message)


def reason_time(session: Session, evaluation: Evaluation, alarm: AlarmState) -> datetime:
    """When the reading behind the reason shown for ``alarm`` was taken (its age is
    the age of that reading, not of the alarm): the newest reading of the live
    reason's parameter, else the readings that raised or escalated it."""
    cond = evaluation.conditions.get(alarm.key)
    if cond is not None and cond.priority == alarm.priority and cond.parameter in session.series:
        latest = session.latest(cond.parameter)
        if latest is not None:
            return datetime.fromtimestamp(latest[0], UTC)
    times = [session.entries[seq].observed_at for seq, _ in alarm.readings
             if seq in session.entries]
    return max(times) if times else alarm.raised_at


def evaluate(session: Session, protocol: Protocol, now: datetime) -> Evaluation:
    dues = due_list(session, protocol, now)  # once: for the overdue rule and the header
    reasons, score = evaluate_conditions(session, protocol, now, dues)
    conditions = alarm_conditions(reasons)  # one alarm per parameter
    drafts = [] if session.locked else lifecycle(session, conditions, protocol, now)
    return Evaluation(
        now, conditions, drafts, score,
        dues,
        min_observation(session, protocol, now),
        limit_offers(session, protocol),
    )
