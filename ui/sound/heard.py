"""What the speaker really does for a session now, in the words its banner uses: a
list or a line that says "sounding" while the banner says "✕ No sound" tells the
nurse a patient is heard who is not (the 1280×800 trial: no audio device)."""

from __future__ import annotations

from datetime import datetime

from monitor.clinical.rules.alarms import sounding
from monitor.model.session import Session
from monitor.sound.policy import volume_for
from ui.sound.player import AlarmSound

SOUNDING = "sounding"
NO_SOUND = "alarming · ✕ no sound"  # the banner's "✕ No sound": no output device


def heard(sound: AlarmSound, session: Session, now: datetime) -> str:
    """``sounding`` only when a burst really goes to a speaker; otherwise why not."""
    if not sound.probed:
        return "alarming · sound: checking"
    if not sound.available:
        return NO_SOUND
    priority = sounding(session, now)
    if priority is None:
        unacked = any(not a.acknowledged for a in session.active_alarms())
        return "audio paused" if unacked else "acknowledged · silent"
    if volume_for(sound.config, priority, session.sound_mode) <= 0.0:
        return "silent: high only set"
    return SOUNDING
