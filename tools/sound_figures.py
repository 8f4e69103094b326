"""Figures of the alarm signals for the docs, drawn from the WAV files that
``ketamine-monitor alarm-sound`` writes (read back from disk, not re-rendered):
the waveform, and the envelope as a one-period running RMS scaled to peak."""

from __future__ import annotations

import os
import sys
import tempfile
import wave
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtWidgets import QApplication

from monitor.app.cli import main as cli
from monitor.sound.config import load_sound_config

COLORS = {"high": "#E8402F", "medium": "#B8860B", "low": "#0072B2"}


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(path), "rb") as f:
        rate = f.getframerate()
        pcm = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
    return rate, pcm.astype(np.float64) / 32768.0


def envelope(x: np.ndarray, rate: int, f0: float) -> np.ndarray:
    n = max(1, round(rate / f0))
    rms = np.sqrt(np.convolve(x * x, np.ones(n) / n, mode="same"))
    shaped: np.ndarray = rms * (np.abs(x).max() / max(rms.max(), 1e-12))
    return shaped


def figure(priority: str, wav: Path, out: Path) -> None:
    rate, x = read_wav(wav)
    pattern = load_sound_config().pattern(priority)
    t = np.arange(x.size) / rate
    plot = pg.PlotWidget(background="w")
    plot.resize(1100, 300)
    item = plot.getPlotItem()
    item.setDownsampling(auto=True, mode="peak")
    item.setTitle(f"{priority} priority: {pattern.pulses} pulses, "
                  f"{pattern.fundamental_hz:g} Hz + {pattern.harmonics} harmonics, "
                  f"pulse {pattern.pulse_ms:g} ms, burst {pattern.burst_s:.2f} s", color="k")
    item.setLabel("bottom", "time", units="s")
    item.setLabel("left", "amplitude (full scale 1)")
    item.setYRange(-1, 1)
    item.plot(t, x, pen=pg.mkPen("#BBBBBB", width=1))
    env = envelope(x, rate, pattern.fundamental_hz)
    item.plot(t, env, pen=pg.mkPen(COLORS[priority], width=2))
    plot.show()
    QApplication.processEvents()
    exporter = pg.exporters.ImageExporter(item)
    exporter.parameters()["width"] = 1100
    exporter.export(str(out))
    plot.close()
    print(f"wrote {out}")


def main(out_dir: str = "docs") -> int:
    app = QApplication.instance() or QApplication([])
    out = Path(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        for priority in ("high", "medium", "low"):
            wav = Path(tmp) / f"{priority}.wav"
            cli(["alarm-sound", "--priority", priority, "--out", str(wav)])
            figure(priority, wav, out / f"alarm-sound-{priority}.png")
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
