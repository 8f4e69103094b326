"""What sounds, when and how loud, from a real recorded session at injected times."""

from __future__ import annotations

import pytest

from monitor.clinical.describe import describe
from monitor.errors import ValidationError
from monitor.model.events import EventKind
from monitor.sound.config import load_sound_config
from monitor.sound.policy import SoundScheduler, volume_for

CONFIG = load_sound_config()
HIGH, MEDIUM, LOW = (CONFIG.pattern(p) for p in ("high", "medium", "low"))



def run(rec, clock, scheduler, seconds):
    """Tick once a second like the window; return the cues as (second, priority, volume)."""
    start = clock.now()
    cues = []
    for _ in range(seconds):
        clock.advance(1)
        rec.tick()
        cue = scheduler.update(rec.session, clock.now())
        if cue:
            cues.append((round((cue.at - start).total_seconds()), cue.priority, cue.volume))
    return cues


def test_medium_repeats_every_burst_plus_interburst(infusing, clock):
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"sbp": "165/90"}, "RN7")
    first = sched.update(infusing.session, clock.now())
    assert (first.priority, first.volume, first.why) == ("medium", MEDIUM.volume, "start")
    cues = run(infusing, clock, sched, 40)
    period = MEDIUM.period_s  # 1.04 s burst + 10 s silence: the next tick after 11.04 s
    assert [c[0] for c in cues] == [12, 24, 36]
    assert period == pytest.approx(11.04, abs=0.01)
    assert {c[1:] for c in cues} == {("medium", MEDIUM.volume)}


def test_low_sounds_once(infusing, clock):
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"hr": "72", "spo2": "98", "rr": "14"}, "RN7", source="device")
    clock.advance(40)  # device data goes stale: a low alarm
    infusing.tick()
    assert sched.update(infusing.session, clock.now()).priority == "low"
    assert run(infusing, clock, sched, 60) == []


@pytest.mark.hazard("H-212")
def test_pause_silences_until_a_higher_priority_breaks_it(infusing, clock):
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"sbp": "165/90"}, "RN7")
    assert sched.update(infusing.session, clock.now()).priority == "medium"
    infusing.pause_audio("RN7")
    assert sched.update(infusing.session, clock.now()) is None
    assert run(infusing, clock, sched, 30) == []
    infusing.record_vitals({"spo2": "89"}, "RN7")
    cue = sched.update(infusing.session, clock.now())
    assert (cue.priority, cue.volume, cue.why) == ("high", HIGH.volume, "start")


def test_escalation_changes_the_signal(infusing, clock):
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"sbp": "165/90"}, "RN7")
    sched.update(infusing.session, clock.now())
    cues = run(infusing, clock, sched, 300)
    assert cues[-1] == (300, "high", HIGH.volume)  # unacknowledged 5 min: escalated
    assert all(c[1] == "medium" for c in cues[:-1])


def test_quiet_bedside_is_logged_and_lowers_every_priority(infusing, clock):
    infusing.change_sound_mode("RN7", "quiet", "patient dissociating, dim room")
    (ev,) = [e for e in infusing.store.events(infusing.session.session_id)
             if e.kind is EventKind.SOUND_MODE_CHANGED]
    assert ev.payload == {"old": "full", "new": "quiet",
                          "reason": "patient dissociating, dim room"}
    assert ev.author == "RN7"
    assert describe(ev.kind, ev.payload) == (
        "bedside sound full → quiet: patient dissociating, dim room")
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"sbp": "186/90"}, "RN7")
    cue = sched.update(infusing.session, clock.now())
    assert (cue.priority, cue.volume) == ("high", CONFIG.quiet_volume)
    assert 0 < cue.volume < HIGH.volume


@pytest.mark.hazard("H-212")
def test_high_only_silences_medium_but_never_high(infusing, clock):
    infusing.change_sound_mode("RN7", "high_only", "eye mask and music, nurse in room")
    sched = SoundScheduler(CONFIG)
    infusing.record_vitals({"sbp": "165/90"}, "RN7")
    assert sched.update(infusing.session, clock.now()) is None
    infusing.record_vitals({"sbp": "186/90"}, "RN7")
    cue = sched.update(infusing.session, clock.now())
    assert (cue.priority, cue.volume) == ("high", HIGH.volume)
    for mode in ("full", "quiet", "high_only"):
        assert volume_for(CONFIG, "high", mode) > 0


@pytest.mark.hazard("H-214")
def test_the_board_sounds_the_full_alarm_whatever_the_bedside_setting(infusing, clock):
    infusing.change_sound_mode("RN7", "high_only", "patient asleep")
    board = SoundScheduler(CONFIG, station="board")
    infusing.record_vitals({"sbp": "165/90"}, "RN7")
    cue = board.update(infusing.session, clock.now())
    assert (cue.priority, cue.volume) == ("medium", MEDIUM.volume)
    with pytest.raises(ValueError, match="unknown station 'ward'"):
        SoundScheduler(CONFIG, station="ward")


@pytest.mark.hazard("H-212")
def test_sound_setting_needs_a_reason_and_a_known_mode(infusing):
    with pytest.raises(ValidationError) as exc:
        infusing.change_sound_mode("RN7", "quiet", "  ")
    assert "Reason for the change" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        infusing.change_sound_mode("RN7", "silent", "night")
    assert "Bedside sound: silent — one of: full, quiet, high_only" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        infusing.change_sound_mode("", "full", "back to normal")
    assert "Nurse ID" in str(exc.value) and "a setting other than the current one" in str(
        exc.value)
    assert not [e for e in infusing.store.events(infusing.session.session_id)
                if e.kind is EventKind.SOUND_MODE_CHANGED]
    assert infusing.session.sound_mode == "full"


def test_sound_setting_survives_reopening(infusing, store, clock, protocols):
    from monitor.record.recorder import Recorder
    infusing.change_sound_mode("RN7", "quiet", "dim room")
    again = Recorder(store, infusing.session.session_id, clock, protocols)
    assert again.session.sound_mode == "quiet"
