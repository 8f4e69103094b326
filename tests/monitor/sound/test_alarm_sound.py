"""The alarm signals, rendered to WAV by the command line and measured from the
file (scipy, FFT), against the IEC 60601-1-8 figures written out here again on
purpose: the test does not trust the product's own table."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from monitor.app.cli import main
from monitor.sound.config import load_sound_config
from tests.support.sound_measure import measure

# IEC 60601-1-8 Tables 3 and 4 (docs/alarms-and-protocols.md cites the sources).
PULSES = {"high": {10}, "medium": {3}, "low": {1, 2}}
PULSE_MS = {"high": (75, 200), "medium": (125, 250), "low": (125, 250)}
SPACING_MS = {"high": (50, 125), "medium": (125, 250), "low": (125, 250)}
HIGH_5_6_MS = (350, 1300)


def render(tmp_path: Path, priority: str, *extra: str) -> Path:
    out = tmp_path / f"{priority}.wav"
    assert main(["alarm-sound", "--priority", priority, "--out", str(out), *extra]) == 0
    return out


@pytest.mark.parametrize("priority", ["high", "medium", "low"])
def test_rendered_burst_meets_the_standard(tmp_path, priority):
    m = measure(render(tmp_path, priority))
    assert len(m.pulses_ms) in PULSES[priority]
    lo, hi = PULSE_MS[priority]
    for width in (*m.pulses_ms, *m.pulses_10_ms):  # at the 50 % and at the 10 % points
        assert lo <= width <= hi
    assert all(10.0 <= r <= 20.0 for r in m.rise_pct), m.rise_pct
    assert 150 <= m.fundamental_hz <= 1000
    in_band = [f for f in m.harmonics_hz if 300 <= f <= 4000]
    assert len(in_band) >= 4, m.harmonics_hz
    assert all(-15.0 <= d <= 15.0 for d in m.harmonic_levels_db), m.harmonic_levels_db
    levels = [20 * math.log10(p) for p in m.pulse_peaks]
    assert max(levels) - min(levels) <= 10.0
    gaps = m.gaps_ms
    s_lo, s_hi = SPACING_MS[priority]
    if priority == "high":
        x, td = gaps[0], m.pulses_ms[0]
        for i in (0, 1, 3, 5, 6, 8):  # within each 3 + 2 group
            assert s_lo <= gaps[i] <= s_hi
        for i in (2, 7):  # between the 3 and the 2: 2x + td
            assert gaps[i] == pytest.approx(2 * x + td, abs=5)
        assert HIGH_5_6_MS[0] <= gaps[4] <= HIGH_5_6_MS[1]
    else:
        assert all(s_lo <= g <= s_hi for g in gaps)


def test_burst_matches_the_configured_pattern(tmp_path):
    high = load_sound_config().pattern("high")
    m = measure(render(tmp_path, "high"))
    assert m.fundamental_hz == pytest.approx(high.fundamental_hz, abs=1.5)
    assert m.harmonics_hz[:4] == pytest.approx(high.overtones_hz(), abs=3)
    assert m.pulses_ms == pytest.approx([high.pulse_ms] * 10, abs=2)
    assert m.gaps_ms == pytest.approx(high.spacings_ms(), abs=2)
    assert m.duration_s == pytest.approx(high.burst_s, abs=0.001)
    assert max(abs(m.samples)) == pytest.approx(0.89 * high.volume, abs=0.01)


def test_a_clinic_file_changes_the_sound_within_the_ranges(tmp_path):
    clinic = tmp_path / "alarm-sound.toml"
    clinic.write_text("version = 1\n[medium]\nfundamental_hz = 600\npulse_ms = 150\n"
                      "spacing_ms = 240\n", "utf-8")
    m = measure(render(tmp_path, "medium", "--config", str(clinic)))
    assert m.fundamental_hz == pytest.approx(600, abs=1.5)
    assert m.pulses_ms == pytest.approx([150] * 3, abs=2)
    assert m.gaps_ms == pytest.approx([240] * 2, abs=2)


def test_the_clinic_file_in_the_config_folder_is_used(tmp_path, _isolated_user_dirs):
    folder = _isolated_user_dirs / "config" / "ketamine-monitor"
    folder.mkdir(parents=True)
    (folder / "alarm-sound.toml").write_text("[low]\npulses = 1\n", "utf-8")
    assert len(measure(render(tmp_path, "low")).pulses_ms) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("[high]\npulse_ms = 300", "key 'high.pulse_ms' is 300; allowed 75–200 ms"),
    ("[medium]\nspacing_ms = 100", "key 'medium.spacing_ms' is 100; allowed 125–250 ms"),
    ("[high]\nspacing_ms = 130", "key 'high.spacing_ms' is 130; allowed 50–125 ms"),
    ("[high]\nmid_gap_ms = 200", "key 'high.mid_gap_ms' is 200; allowed 350–1300 ms"),
    ("[low]\npulses = 3", "key 'low.pulses' is 3; allowed 1 or 2"),
    ("[high]\nfundamental_hz = 100", "key 'high.fundamental_hz' is 100; allowed 150–1000 Hz"),
    ("[high]\nfundamental_hz = 1000", "only 3 overtones of 1000 Hz fall in 300–4000 Hz"),
    ("[medium]\nharmonics = 3", "key 'medium.harmonics' is 3; allowed a whole number 4–8"),
    ("[medium]\nrise_pct = 25", "key 'medium.rise_pct' is 25; allowed 10–20 %"),
    ("[high]\ninterburst_s = 20", "key 'high.interburst_s' is 20; allowed 2.5–15 s"),
    ("[medium]\ninterburst_s = 31", "key 'medium.interburst_s' is 31; allowed 2.5–30 s"),
    ("[low]\ninterburst_s = 10", "key 'low.interburst_s' is 10; allowed at least 15 s"),
    ("[low]\ninterburst_s = 15", "key 'low.interburst_s' must be above 15 s, or 0"),
    ("[high]\nvolume = 0", "key 'high.volume' is 0; allowed 0.1–1"),
    ("[bedside]\nquiet_volume = 0.05", "key 'bedside.quiet_volume' is 0.05; allowed 0.2–0.8"),
    ("[high]\npulse_ms = 200\nrise_pct = 20",
     "the pulse measured at its 10 % points would last 240 ms; allowed up to 200 ms"),
    ("[high]\nvolume = true", "key 'high.volume' must be a number, not True"),
    ("[high]\nloudness = 2", "unknown key 'high.loudness'"),
    ("[siren]\nvolume = 1", "unknown key 'siren'"),
    ("version = 2", "key 'version' is 2; allowed: 1"),
    ("[high", "TOML syntax error"),
])
def test_values_outside_the_standard_are_refused(tmp_path, capsys, text, message):
    clinic = tmp_path / "alarm-sound.toml"
    clinic.write_text(text + "\n", "utf-8")
    out = tmp_path / "x.wav"
    assert main(["alarm-sound", "--priority", "high", "--out", str(out),
                 "--config", str(clinic)]) == 1
    err = capsys.readouterr().err
    assert str(clinic) in err and message in err, err
    assert "Traceback" not in err
    assert not out.exists(), "nothing is written when the settings are refused"


def test_bad_command_lines(tmp_path, capsys):
    out = tmp_path / "x.wav"
    with pytest.raises(SystemExit) as exc:
        main(["alarm-sound", "--priority", "urgent", "--out", str(out)])
    assert exc.value.code == 2
    assert "invalid choice: 'urgent'" in capsys.readouterr().err
    assert main(["alarm-sound", "--priority", "low", "--out", str(out),
                 "--config", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml: no such settings file" in capsys.readouterr().err
    render(tmp_path, "low")
    assert main(["alarm-sound", "--priority", "low", "--out", str(tmp_path / "low.wav")]) == 1
    assert "already exists; use --force" in capsys.readouterr().err
