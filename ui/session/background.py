"""Sessions left for the session list while they still watch a patient (dosing,
recovery, or an active alarm): their rules are still evaluated once a second and
their alarms still sound, until the nurse opens them again, where the same
recorder comes back (never a second one on the same session). Qt-free apart
from what the sound needs; the window owns one and ticks it."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import MonitorError
from monitor.model.session import PRIORITY_RANK, Priority, Session
from monitor.paths import alarm_sound_file
from monitor.record.recorder import Recorder
from ui.session.ending import alarm_head
from ui.sound.heard import heard
from ui.sound.player import AlarmSound, load_config


@dataclass
class Watched:
    recorder: Recorder
    sound: AlarmSound


@dataclass(frozen=True)
class Left:
    """A watched session as the list and the other sessions' banners show it, live."""

    session_id: str
    patient: str
    worst: Priority | None  # of its active alarms (None: none active)
    count: int              # active alarms
    unacked: Priority | None  # worst unacknowledged (None: every alarm seen)
    head: str               # the worst unacknowledged alarm as its banner words it
    heard: str              # what its speaker really does (ui/sound/heard.py)


class Background:
    def __init__(self) -> None:
        self.watched: dict[str, Watched] = {}
        self.problems: list[str] = []  # a tick that failed, said in the window's bar

    def keep(self, recorder: Recorder) -> None:
        """Keep evaluating and sounding ``recorder``'s session."""
        config, _problem = load_config(alarm_sound_file())  # the panel said the problem
        sound = AlarmSound(config)
        sound.probe()  # the list says at once whether it is heard (never "checking")
        self.watched[recorder.session.session_id] = Watched(recorder, sound)

    def take(self, session_id: str) -> Recorder | None:
        """The kept recorder of ``session_id`` (its sound stops: the page sounds now)."""
        watched = self.watched.pop(session_id, None)
        if watched is None:
            return None
        watched.sound.stop()
        return watched.recorder

    def tick(self) -> None:
        for sid, w in list(self.watched.items()):
            try:
                w.recorder.tick()
            except MonitorError as exc:
                self.problems.append(f"Session {sid} (not on screen): {exc}")
                continue
            w.sound.probe()
            w.sound.update(w.recorder.session, w.recorder.clock.now())

    def sessions(self) -> list[Session]:
        return [w.recorder.session for w in self.watched.values()]

    def recorders(self) -> list[Recorder]:
        return [w.recorder for w in self.watched.values()]

    def summary(self) -> dict[str, Left]:
        """Session id → how it stands now, for every watched session."""
        return {sid: _left(sid, w) for sid, w in self.watched.items()}

    def alarming(self) -> list[Left]:
        """The watched sessions with an alarm nobody has acknowledged, worst first."""
        return sorted((left for left in self.summary().values() if left.unacked),
                      key=lambda left: -PRIORITY_RANK[left.unacked] if left.unacked else 0)

    def stop(self) -> None:
        for w in self.watched.values():
            w.sound.stop()
        self.watched.clear()


def _left(sid: str, w: Watched) -> Left:
    session = w.recorder.session
    alarms = sorted(session.active_alarms(), key=lambda a: -a.rank)
    unacked = [a for a in alarms if not a.acknowledged]
    return Left(sid, str(session.opening.get("patient_id", sid)),
                alarms[0].priority if alarms else None, len(alarms),
                unacked[0].priority if unacked else None,
                alarm_head(w.recorder.last_evaluation, unacked[0]) if unacked else "",
                heard(w.sound, session, w.recorder.clock.now()))
