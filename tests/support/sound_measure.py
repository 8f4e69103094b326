"""Measure an alarm WAV file independently of the synthesiser: scipy reads the
file, an FFT finds the fundamental and its harmonics, a one-period running RMS
gives the envelope, and its 10/50/90 % crossings give pulses, gaps and rise times."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks


@dataclass
class Measured:
    rate: int
    samples: np.ndarray
    fundamental_hz: float
    harmonics_hz: list[float]      # spectral peaks at 2f, 3f, ... found in the file
    harmonic_levels_db: list[float]  # relative to the fundamental
    pulses_ms: list[float]         # 50 % to 50 %
    gaps_ms: list[float]           # 50 % fall to the next 50 % rise
    pulses_10_ms: list[float]      # 10 % to 10 %
    rise_pct: list[float]          # 10 → 90 % rise time, % of the pulse
    pulse_peaks: list[float]       # peak amplitude of each pulse (full scale 1.0)
    duration_s: float


def _crossings(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    edges = np.diff(mask.astype(np.int8))
    return np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1) + 1


def spectrum_peaks(x: np.ndarray, rate: int) -> tuple[float, list[tuple[float, float]]]:
    """Fundamental (strongest peak) and every peak within 40 dB of it, (Hz, dB).
    Zero-padded to 1 Hz bins so that peak levels do not depend on bin alignment."""
    win = x * np.hanning(x.size)
    mag = np.abs(np.fft.rfft(win, n=max(rate, x.size)))
    freqs = np.fft.rfftfreq(max(rate, x.size), 1 / rate)
    db = 20 * np.log10(mag / mag.max() + 1e-12)
    idx, _ = find_peaks(db, height=-40, distance=max(1, int(50 / (freqs[1] - freqs[0]))))
    peaks = [(float(freqs[i]), float(db[i])) for i in idx]
    f0 = min(f for f, d in peaks if d > -1.0)  # the fundamental is the loudest component
    return f0, peaks


def measure(path: Path) -> Measured:
    rate, pcm = wavfile.read(path)
    assert pcm.dtype == np.int16 and pcm.ndim == 1, "16-bit mono expected"
    x = pcm.astype(np.float64) / 32768.0
    f_rough, _ = spectrum_peaks(x, rate)
    period = round(rate / f_rough)
    rms = np.sqrt(uniform_filter1d(x * x, size=period, mode="constant"))
    starts, ends = _crossings(rms >= 0.25 * rms.max())  # split into pulses first
    bounds = [0, *((e + s) // 2 for e, s in zip(ends, starts[1:], strict=False)), x.size]
    pulses, pulses10, rises, peaks_amp, half = [], [], [], [], []
    t = 1000.0 / rate
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        lo, hi = bounds[i], bounds[i + 1]
        seg = rms[lo:hi] / rms[s:e].max()
        up50, down50 = _crossings(seg >= 0.5)
        up10, down10 = _crossings(seg >= 0.1)
        up90, down90 = _crossings(seg >= 0.9)
        pulses.append((down50[0] - up50[0]) * t)
        pulses10.append((down10[0] - up10[0]) * t)
        rises.append(100.0 * (up90[0] - up10[0]) / (down50[0] - up50[0]))
        peaks_amp.append(float(np.abs(x[s:e]).max()))
        half.append((lo + up50[0], lo + down50[0], lo + up90[0], lo + down90[0]))
    gaps = [(nxt[0] - cur[1]) * t for cur, nxt in pairwise(half)]
    # The spectrum of the first pulse's plateau (between its 90 % points).
    f0, peaks = spectrum_peaks(x[half[0][2]:half[0][3]], rate)
    harmonics = [(f, d) for f, d in peaks if f > 1.5 * f0
                 and abs(f / f0 - round(f / f0)) < 0.01]
    return Measured(rate, x, f0, [f for f, _ in harmonics], [d for _, d in harmonics],
                    pulses, gaps, pulses10, rises, peaks_amp, x.size / rate)
