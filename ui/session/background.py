"""Sessions left for the session list while they still watch a patient (dosing,
recovery, or an active alarm): their rules are still evaluated once a second and
their alarms still sound, until the nurse opens them again, where the same
recorder comes back (never a second one on the same session). Qt-free apart
from what the sound needs; the window owns one and ticks it."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import MonitorError
from monitor.model.session import Priority, Session
from monitor.paths import alarm_sound_file
from monitor.record.recorder import Recorder
from ui.sound.player import AlarmSound, load_config


@dataclass
class Watched:
    recorder: Recorder
    sound: AlarmSound


class Background:
    def __init__(self) -> None:
        self.watched: dict[str, Watched] = {}
        self.problems: list[str] = []  # a tick that failed, said in the window's bar

    def keep(self, recorder: Recorder) -> None:
        """Keep evaluating and sounding ``recorder``'s session."""
        config, _problem = load_config(alarm_sound_file())  # the panel said the problem
        self.watched[recorder.session.session_id] = Watched(recorder, AlarmSound(config))

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

    def worst(self) -> dict[str, tuple[Priority | None, int]]:
        """Session id → (worst active priority or None, number of active alarms), live."""
        out: dict[str, tuple[Priority | None, int]] = {}
        for sid, w in self.watched.items():
            alarms = w.recorder.session.active_alarms()
            top = max(alarms, key=lambda a: a.rank, default=None)
            out[sid] = (top.priority if top is not None else None, len(alarms))
        return out

    def stop(self) -> None:
        for w in self.watched.values():
            w.sound.stop()
        self.watched.clear()
