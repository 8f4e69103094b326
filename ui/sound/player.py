"""Alarm sound playback through PortAudio (the ``sounddevice`` package).

The sound policy (monitor.sound.policy) decides what sounds and how loud; this
module renders the burst (monitor.sound.synth, the same samples that
``ketamine-monitor alarm-sound`` writes) and hands it to the output device. With
no PortAudio library or no output device, ``status`` says so plainly and every
cue is still recorded in ``played``, marked as not delivered. Plain Python: a
central board can use it as it is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError
from monitor.model.session import Priority, Session
from monitor.sound.config import SoundConfig, load_sound_config
from monitor.sound.policy import Cue, SoundScheduler

if TYPE_CHECKING:  # numpy and the synthesiser load with the first burst, not at start-up
    import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Played:
    """One burst handed to the output (or that would have been, ``delivered`` False)."""

    at: datetime
    priority: str
    volume: float
    why: str
    delivered: bool


def open_output() -> tuple[Any | None, str]:
    """The sounddevice module when a default output device exists, else None;
    and a sentence for the window."""
    try:  # here, where its failure is told: without PortAudio the import itself fails
        import sounddevice as sd
    except OSError:
        return None, "Sound unavailable: the PortAudio library is missing (Debian: libportaudio2)"
    except ImportError:
        return None, "Sound unavailable: the sounddevice package is not installed"
    try:
        device = sd.query_devices(kind="output")
    except sd.PortAudioError:
        return None, "Sound unavailable: no audio output device"
    return sd, f"Sound output: {device['name']}"


def load_config(clinic_file: Path | None) -> tuple[SoundConfig, str | None]:
    """The clinic's settings, or the shipped ones and the reason when the clinic file
    is refused (the window shows that reason: never a silent fallback)."""
    try:
        return load_sound_config(clinic_file), None
    except ConfigError as exc:
        log.warning("alarm sound settings refused: %s", exc)
        return load_sound_config(None), f"{exc} — using the shipped alarm signals"


class AlarmSound:
    def __init__(self, config: SoundConfig, station: str = "bedside") -> None:
        self.config = config
        self.scheduler = SoundScheduler(config, station)
        self.played: list[Played] = []
        # Opened on first use, not while the window is first painted: loading PortAudio
        # and asking for devices costs about 0.1 s.
        self._sd: Any = None
        self._status: str | None = None
        self._cache: dict[tuple[str, float], np.ndarray] = {}
        self._stream: Any = None
        self.frames_out = 0

    def probe(self) -> None:
        """Open the output (once): PortAudio loaded, the default device looked up."""
        if self._status is None:
            self._sd, self._status = open_output()
            if self._sd is not None:  # render every burst now, not while an entry is saved
                for priority, pattern in self.config.patterns.items():
                    for volume in {pattern.volume, min(pattern.volume, self.config.quiet_volume)}:
                        self.samples(priority, volume)

    @property
    def probed(self) -> bool:
        return self._status is not None

    @property
    def status(self) -> str:
        """A sentence for the window: the output device, or why there is no sound."""
        self.probe()
        return str(self._status)

    @property
    def available(self) -> bool:
        self.probe()
        return self._sd is not None

    def update(self, session: Session, now: datetime) -> Cue | None:
        """Ask the policy; start a burst when it says so."""
        cue = self.scheduler.update(session, now)
        if cue is not None:
            self.play(cue)
        return cue

    def samples(self, priority: Priority, volume: float) -> np.ndarray:
        from monitor.sound.synth import render  # numpy, ~60 ms: with the first burst
        key = (priority, volume)
        if key not in self._cache:
            self._cache[key] = render(self.config.pattern(priority), volume)
        return self._cache[key]

    def play(self, cue: Cue) -> None:
        """Start the burst at once, cutting off any burst still playing, except that a
        repeat never cuts off its own previous burst (a fast demo clock asks for that)."""
        delivered = False
        repeat_too_soon = (cue.why == "repeat" and self._stream is not None
                           and self._stream.active)
        if self.available and not repeat_too_soon:
            try:
                self._start(self.samples(cue.priority, cue.volume))
                delivered = True
            except self._sd.PortAudioError as exc:
                log.exception("alarm sound failed")
                self._status = f"Sound failed: {exc}"
        self.played.append(Played(cue.at, cue.priority, cue.volume, cue.why, delivered))
        del self.played[:-200]  # a record for the window and tests, not a log

    def _start(self, samples: np.ndarray) -> None:
        from monitor.sound.synth import SAMPLE_RATE  # loaded by ``samples`` already
        sd = self._sd
        self.stop()
        self.frames_out = 0

        def fill(out: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
            # PortAudio's own thread: copy the next frames, never block
            chunk = samples[self.frames_out:self.frames_out + frames]
            out[:chunk.size, 0] = chunk
            out[chunk.size:, 0] = 0.0
            self.frames_out += chunk.size
            if chunk.size < frames:
                raise sd.CallbackStop

        self._stream = sd.OutputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                                       callback=fill)
        self._stream.start()

    @property
    def latency_s(self) -> float | None:
        """The output latency PortAudio reports for the current stream."""
        return None if self._stream is None else float(self._stream.latency)

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Block until the current burst has been played (tests and the command line)."""
        end = time.monotonic() + timeout_s
        while self._stream is not None and self._stream.active and time.monotonic() < end:
            time.sleep(0.005)
        return self._stream is None or not self._stream.active

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None
