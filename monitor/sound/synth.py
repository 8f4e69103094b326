"""Render a pattern into samples (numpy, no Qt) and write it as a WAV file.

Each pulse is the fundamental plus its overtones, shaped by a linear ramp up,
a plateau and a linear ramp down; the effective pulse duration and the spacing
are measured between the 50 % points of that envelope.
"""

from __future__ import annotations

import io
import wave

import numpy as np

from monitor.sound.config import Pattern

SAMPLE_RATE = 48_000
PEAK = 0.89  # full-scale headroom (about −1 dBFS) at volume 1.0
# Overtone k sits 3 dB per step below the fundamental, never more than 12 dB below:
# inside the ±15 dB the standard allows.
OVERTONE_DROP_DB = 3.0
OVERTONE_FLOOR_DB = -12.0


def overtone_levels_db(pattern: Pattern) -> list[float]:
    return [max(-OVERTONE_DROP_DB * (k - 1), OVERTONE_FLOOR_DB)
            for k in range(2, pattern.harmonics + 2)]


def _tone(pattern: Pattern, n: int, rate: int) -> np.ndarray:
    t = np.arange(n) / rate
    f0 = pattern.fundamental_hz
    out = np.sin(2 * np.pi * f0 * t)
    for k, level in zip(range(2, pattern.harmonics + 2), overtone_levels_db(pattern),
                        strict=True):
        out += 10 ** (level / 20) * np.sin(2 * np.pi * f0 * k * t)
    return out


def envelope(pattern: Pattern, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The burst's amplitude envelope, 0..1, one value per sample."""
    ramp = pattern.ramp_ms / 1000.0
    starts = [0.0]
    for gap in pattern.spacings_ms():
        starts.append(starts[-1] + (pattern.pulse_ms + gap) / 1000.0)
    n = round(pattern.burst_s * rate)
    t = np.arange(n) / rate
    env = np.zeros(n)
    plateau = pattern.pulse_ms / 1000.0 - ramp  # 50 % to 50 % equals plateau + one ramp
    for s in starts:
        up = np.clip((t - s) / ramp, 0.0, 1.0)
        down = np.clip((s + ramp + plateau + ramp - t) / ramp, 0.0, 1.0)
        env = np.maximum(env, np.minimum(up, down))
    return env


def render(pattern: Pattern, volume: float | None = None,
           rate: int = SAMPLE_RATE) -> np.ndarray:
    """One full burst as float32 samples in −1..1, at ``volume`` (the pattern's own
    volume when None)."""
    env = envelope(pattern, rate)
    tone = _tone(pattern, env.size, rate)
    tone /= np.max(np.abs(tone))
    gain = PEAK * (pattern.volume if volume is None else volume)
    samples: np.ndarray = (tone * env * gain).astype(np.float32)
    return samples


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """A WAV file (16-bit mono PCM) holding ``samples``."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buf.getvalue()
