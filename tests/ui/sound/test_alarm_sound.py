"""Alarm sound in the window: raise → pause → higher priority → acknowledge →
reminder, checked by the player's recorded play calls (when, which priority, how
loud); the quiet bedside setting with its reason; and plain words when there is
no sound device, which is the case on the test machines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from monitor.sound.config import load_sound_config
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, type_into

CONFIG = load_sound_config()


@pytest.fixture
def infusing_window(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    page = window.open_session(rec)
    assert page.banner.sound.status.text() == "Sound: checking…"
    ticks(page, clock, 1)  # sound starts from the first tick after the page opened
    yield page, rec
    window.shutdown()


def enter_vitals(qtbot, page, sbp, spo2):
    v = page.vitals
    for key, text in (("sbp", sbp), ("hr", "80"), ("spo2", spo2), ("rr", "14")):
        type_into(qtbot, v.edits[key], text)
    qtbot.keyClick(v.edits["rr"], Qt.Key.Key_Return)


def ticks(page, clock, seconds):
    """The window's one-second tick, on the test's clock."""
    for _ in range(seconds):
        clock.advance(1)
        page.tick()


def acknowledge_all(qtbot, page):
    while page.banner.rows[0].isVisible() and page.banner.rows[0].ack.isVisible():
        click(qtbot, page.banner.rows[0].ack)
        page.banner.action.setCurrentText("re-measured")
        click(qtbot, page.banner.ack_confirm)


def test_raise_pause_higher_acknowledge_reminder(qtbot, infusing_window, clock):
    page, _rec = infusing_window
    player = page.banner.sound.sound
    t0 = clock.now()

    def calls():
        return [(round((p.at - t0).total_seconds()), p.priority, p.volume) for p in player.played]

    enter_vitals(qtbot, page, "165/90", "97")            # medium alarm
    assert calls() == [(0, "medium", CONFIG.pattern("medium").volume)]
    ticks(page, clock, 13)                               # repeats after burst + interburst
    assert calls()[1:] == [(12, "medium", 0.8)]

    click(qtbot, page.banner.pause)                      # 2-minute audio pause
    assert page.banner.pause.text() == "Audio paused 2:00"
    ticks(page, clock, 30)
    assert len(calls()) == 2, "nothing sounds during the pause"

    enter_vitals(qtbot, page, "165/90", "89")            # SpO2 89: a high alarm
    assert calls()[2:] == [(43, "high", 1.0)], "a higher priority breaks the pause"
    assert page.banner.pause.text() == "Pause audio 2:00"
    ticks(page, clock, 9)
    assert calls()[3:] == [(52, "high", 1.0)]            # 3.43 s burst + 5 s

    acknowledge_all(qtbot, page)
    n = len(calls())
    # Typed readings cannot change before the next one (CLINICAL §5): the reminder comes
    # when they are due again, 10 min after the 43 s reading (643 s), not 3 min after.
    ticks(page, clock, 590)
    assert len(calls()) == n, "acknowledged alarms are silent until the reminder"
    ticks(page, clock, 1)                                # the readings are due again
    assert calls()[n:] == [(643, "high", 1.0)], "the reminder sounds the highest alarm"
    assert not any(p.delivered for p in player.played)   # no sound device here


@pytest.mark.hazard("H-204")
def test_window_says_plainly_that_sound_is_unavailable(qtbot, infusing_window, clock):
    page, _rec = infusing_window
    status = page.banner.sound.status
    assert status.isVisible()
    assert status.text() == "✕ No sound"  # short: the banner row stays readable
    assert status.toolTip().startswith("Sound unavailable: no audio output device")
    assert not page.banner.sound.sound.available
    enter_vitals(qtbot, page, "186/90", "97")
    assert status.text() == "✕ No sound"


def test_quiet_bedside_is_a_logged_setting_with_a_reason(qtbot, infusing_window, clock):
    page, rec = infusing_window
    panel = page.banner.sound
    click(qtbot, panel.change)
    assert panel.form.isVisible()
    panel.mode.setCurrentIndex(panel.mode.findData("quiet"))
    click(qtbot, panel.confirm_button)                   # no reason: refused
    assert panel.reason_error.isVisible()
    assert "required" in panel.reason_error.text()
    assert rec.session.sound_mode == "full"
    assert not [e for e in rec.store.events(rec.session.session_id)
                if e.kind is EventKind.SOUND_MODE_CHANGED]

    type_into(qtbot, panel.reason, "dissociating, dim room", enter=True)
    assert not panel.form.isVisible()
    (ev,) = [e for e in rec.store.events(rec.session.session_id)
             if e.kind is EventKind.SOUND_MODE_CHANGED]
    assert (ev.payload["new"], ev.payload["reason"], ev.author) == (
        "quiet", "dissociating, dim room", "RN7")
    assert panel.change.text() == "Sound: quiet…"

    enter_vitals(qtbot, page, "186/90", "97")            # high, but quiet: lower, never zero
    last = panel.sound.played[-1]
    assert (last.priority, last.volume) == ("high", CONFIG.quiet_volume)

    click(qtbot, panel.change)                           # high only: medium goes silent
    panel.mode.setCurrentIndex(panel.mode.findData("high_only"))
    type_into(qtbot, panel.reason, "eye mask, music, nurse in the room", enter=True)
    assert rec.session.sound_mode == "high_only"
    played = len(panel.sound.played)
    acknowledge_all(qtbot, page)
    enter_vitals(qtbot, page, "120/80", "97")
    clock.advance(60)
    enter_vitals(qtbot, page, "165/90", "97")            # a new medium alarm
    assert any(a.priority == "medium" and not a.acknowledged
               for a in rec.session.active_alarms())
    assert len(panel.sound.played) == played, "medium is silent at a high-only bedside"


@pytest.mark.hazard("H-204")
def test_broken_clinic_sound_file_is_said_not_hidden(qtbot, store, clock, protocols,
                                                     _isolated_user_dirs):
    folder = _isolated_user_dirs / "config" / "ketamine-monitor"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alarm-sound.toml").write_text("[high]\npulse_ms = 500\n", "utf-8")
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    page = window.open_session(rec)
    tip = page.banner.sound.status.toolTip()
    assert "key 'high.pulse_ms' is 500; allowed 75–200 ms" in tip
    assert "using the shipped alarm signals" in tip
    window.shutdown()


NULL_SINK_PLAY = """
import json, time
from datetime import UTC, datetime
from monitor.sound.config import load_sound_config
from monitor.sound.policy import Cue
from ui.sound.player import AlarmSound
player = AlarmSound(load_sound_config())
out = {"available": player.available, "status": player.status, "bursts": []}
for priority in ("high", "medium", "low"):
    player.samples(priority, 0.5)  # rendered beforehand: time the output alone
    t = time.perf_counter()
    player.play(Cue(datetime.now(UTC), priority, 0.5, "test"))
    started = time.perf_counter() - t
    finished = player.wait()
    out["bursts"].append({"priority": priority, "frames": player.frames_out,
                          "expected": int(player.samples(priority, 0.5).size),
                          "start_ms": started * 1000, "latency_ms": player.latency_s * 1000,
                          "finished": finished,
                          "delivered": player.played[-1].delivered})
player.stop()
print(json.dumps(out))
"""


def test_bursts_play_into_an_alsa_null_sink(tmp_path):
    """A real PortAudio stream into ALSA's null device (no sound card needed): every
    frame of each burst is consumed by the device."""
    home = tmp_path / "home-with-null-sink"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\n", "utf-8")
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", NULL_SINK_PLAY], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["available"], result["status"]
    assert result["status"] == "Sound output: default"
    for burst in result["bursts"]:
        assert burst["delivered"] and burst["finished"], burst
        assert burst["frames"] == burst["expected"], burst
        assert burst["start_ms"] < 100, burst
        assert 0 < burst["latency_ms"] < 200, burst
