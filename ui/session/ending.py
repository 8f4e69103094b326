"""What stops, and what goes on, when the nurse closes the window or leaves a
session while it still watches a patient: said before it happens (CLINICAL §7:
no action that ends monitoring goes through silently while an infusion runs
or a HIGH alarm is active). Leaving for the list keeps the session's alarms
going (ui/session/background.py): the question says what leaves the screen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from monitor.clinical.rules.condition import ALSO
from monitor.clinical.rules.engine import Evaluation
from monitor.model.session import AlarmState, Phase, Session
from monitor.record.recorder import Recorder
from ui.common.theme import PRIORITY_WORD


@dataclass(frozen=True)
class Stake:
    """What the question says: why it asks, what stops, what goes on."""

    title: str
    why: str
    stops: str
    keeps: str
    confirm: str

    def text(self) -> str:
        return f"{self.why}\n\nSTOPS: {self.stops}\n\nKEEPS: {self.keeps}"


def alarm_head(evaluation: Evaluation, alarm: AlarmState) -> str:
    """An alarm's words as its banner row's large line (its "also:" reasons left off)."""
    return evaluation.alarm_text(alarm).partition(ALSO)[0]


def watching(recorder: Recorder) -> str | None:
    """Why closing would end monitoring that still matters, or None when nothing does:
    dosing runs, recovery before discharge, or an active alarm (worded as the banner
    words it: Evaluation.alarm_text)."""
    session, evaluation = recorder.session, recorder.last_evaluation
    alarms = sorted(session.active_alarms(), key=lambda a: -a.rank)
    patient = str(session.opening.get("patient_id", "the patient"))
    state = {Phase.INFUSING: "is being dosed" + (" (infusion PAUSED)" if session.paused else ""),
             Phase.RECOVERY: "is in recovery, not discharged"}.get(session.phase)
    if state is None and not alarms:
        return None
    parts = [f"{patient} {state}" if state else f"{patient}'s session"]
    if alarms:
        first = alarms[:3]
        # The head of each alarm (its "also:" reasons are in the banner behind).
        listed = "; ".join(f"{PRIORITY_WORD[a.priority]} {alarm_head(evaluation, a)}"
                           for a in first)
        more = f" and {len(alarms) - 3} more" if len(alarms) > 3 else ""
        parts.append(f"{len(alarms)} active alarm{'s' * (len(alarms) != 1)}: {listed}{more}")
    return ", with ".join(parts) + "."


PUMP = "The pump is not controlled by this app: it keeps running."


def _pump(sessions: list[Session]) -> str:
    """The pump sentence, only while an infusion runs (before the start and after the
    end there is no pump to keep running)."""
    return f" {PUMP}" if any(s.phase is Phase.INFUSING for s in sessions) else ""


def _unbound(devices: int) -> str:
    return (f"; the bound monitor is unbound ({devices} device{'s' * (devices != 1)})"
            if devices else "")


def close_stake(recorders: list[Recorder], devices: int = 0, *,
                resumes: bool = True) -> Stake | None:
    """The question before the window closes, for the open session and those left
    for the list that are still watched (None: close without asking)."""
    whys = [why for r in recorders if (why := watching(r)) is not None]
    sessions = [r.session for r in recorders]
    if not whys:
        return None
    whom = "this patient" if len(whys) == 1 else f"these {len(whys)} patients"
    return Stake("Close the monitor?", "\n".join(whys),
                 f"alarm checks and alarm sound for {whom}{_unbound(devices)}: no one is "
                 f"warned by this app.{_pump(sessions)}",
                 "everything recorded is saved; " + (
                     "the open session opens again as it was at the next start." if resumes
                     else "open the sessions again from the list at the next start."),
                 "Close the monitor")


def leave_stake(recorder: Recorder, devices: int = 0, *,
                to: str | None = None) -> Stake | None:
    """The question before going back to the session list, or (``to``: its patient) to
    another session (None: leave without asking)."""
    why = watching(recorder)
    session = recorder.session
    if why is None:
        return None
    shown = "the list is shown, which shows it" if to is None else (
        f"{to}'s session is shown; its banner's top row and the list show it")
    stake = Stake("Leave this session?", why,
                  f"its banner, charts and entry leave the screen{_unbound(devices)}."
                  f"{_pump([session])}",
                  f"its alarms are still checked and sound while {shown} in the colour "
                  "of its worst alarm; open it again to see and acknowledge them. "
                  "Everything recorded is saved.",
                  "Leave the session")
    if to is None:
        return stake
    return replace(stake, title=f"Leave this session for {to}?",
                   confirm=f"Leave and open {to}")
