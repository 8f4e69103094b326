"""Alarm sound settings: shipped defaults plus an optional clinic file, checked
against the IEC 60601-1-8 ranges. A value outside them is refused with a message
naming the file, the key and the allowed range; nothing is half-applied."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.model.session import Priority
from monitor.sound import standard as iec

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "alarm-sound.toml"
RAMP_TO_RISE = 0.8  # a linear ramp spends 80 % of its length between 10 % and 90 %

_PATTERN_KEYS = {"fundamental_hz", "harmonics", "pulse_ms", "spacing_ms", "rise_pct",
                 "interburst_s", "volume"}
_KEYS: dict[str, set[str]] = {
    "bedside": {"quiet_volume"},
    "high": _PATTERN_KEYS | {"mid_gap_ms"},
    "medium": set(_PATTERN_KEYS),
    "low": _PATTERN_KEYS | {"pulses"},
}
VOLUME = (0.1, 1.0)
QUIET_VOLUME = (0.2, 0.8)
HARMONICS = (4, 8)


@dataclass(frozen=True)
class Pattern:
    """One priority's signal: pulse shape and burst timing (times in ms unless named)."""

    priority: Priority
    fundamental_hz: float
    harmonics: int
    pulses: int
    pulse_ms: float
    spacing_ms: float
    rise_pct: float
    interburst_s: float
    volume: float
    mid_gap_ms: float = 0.0

    @property
    def rise_ms(self) -> float:
        """10–90 % rise time."""
        return self.pulse_ms * self.rise_pct / 100.0

    @property
    def ramp_ms(self) -> float:
        """Length of the linear ramp (0 → 100 %) that gives that rise time."""
        return self.rise_ms / RAMP_TO_RISE

    def spacings_ms(self) -> list[float]:
        """Spacing after each pulse but the last, 50 % fall to 50 % rise."""
        x, td = self.spacing_ms, self.pulse_ms
        if self.priority is Priority.HIGH:  # 3 + 2, pause, 3 + 2
            return [x, x, 2 * x + td, x, self.mid_gap_ms, x, x, 2 * x + td, x]
        return [x] * (self.pulses - 1)

    @property
    def burst_s(self) -> float:
        """Length of one burst, from the start of the first ramp to the end of the last."""
        return (self.pulses * self.pulse_ms + sum(self.spacings_ms()) + self.ramp_ms) / 1000.0

    @property
    def period_s(self) -> float | None:
        """Start-to-start time of repeated bursts; None when the signal does not repeat."""
        return self.burst_s + self.interburst_s if self.interburst_s > 0 else None

    def overtones_hz(self) -> list[float]:
        return [self.fundamental_hz * k for k in range(2, self.harmonics + 2)]


@dataclass(frozen=True)
class SoundConfig:
    patterns: dict[Priority, Pattern]
    quiet_volume: float
    source: str

    def pattern(self, priority: str) -> Pattern:
        return self.patterns[Priority(priority)]


def _range(errors: list[str], key: str, value: Any, lo: float, hi: float | None,
           unit: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"key '{key}' must be a number, not {value!r}")
    elif value < lo or (hi is not None and value > hi):
        allowed = f"{lo:g}–{hi:g}{unit}" if hi is not None else f"at least {lo:g}{unit}"
        errors.append(f"key '{key}' is {value!r}; allowed {allowed} (IEC 60601-1-8)")


def _check_pattern(priority: Priority, t: dict[str, Any], errors: list[str]) -> None:
    p = priority
    _range(errors, f"{p}.fundamental_hz", t["fundamental_hz"], *iec.FUNDAMENTAL_HZ, " Hz")
    _range(errors, f"{p}.pulse_ms", t["pulse_ms"], *iec.PULSE_MS[p], " ms")
    _range(errors, f"{p}.spacing_ms", t["spacing_ms"], *iec.SPACING_MS[p], " ms")
    _range(errors, f"{p}.rise_pct", t["rise_pct"], *iec.RISE_PCT, " %")
    _range(errors, f"{p}.volume", t["volume"], *VOLUME)
    if isinstance(t["harmonics"], bool) or t["harmonics"] not in range(HARMONICS[0],
                                                                       HARMONICS[1] + 1):
        errors.append(f"key '{p}.harmonics' is {t['harmonics']!r}; allowed a whole number "
                      f"{HARMONICS[0]}–{HARMONICS[1]}")
    if p is Priority.HIGH:
        _range(errors, "high.mid_gap_ms", t["mid_gap_ms"], *iec.HIGH_MID_GAP_MS, " ms")
    low = iec.PULSES[Priority.LOW]
    if p is Priority.LOW and (isinstance(t["pulses"], bool) or t["pulses"] not in low):
        errors.append(f"key 'low.pulses' is {t['pulses']!r}; allowed 1 or 2 (IEC 60601-1-8)")
    lo, hi = iec.INTERBURST_S[p]
    tb = t["interburst_s"]
    if not (p is Priority.LOW and tb == 0 and not isinstance(tb, bool)):
        _range(errors, f"{p}.interburst_s", tb, lo, hi, " s")
        if p is Priority.LOW and tb == lo:
            errors.append("key 'low.interburst_s' must be above 15 s, or 0 for no repeat")


def _check_derived(pattern: Pattern, errors: list[str]) -> None:
    """Ranges that depend on several keys: the pulse and the gap measured at the 10 %
    points must also fit, and at least 4 overtones must fall in 300–4000 Hz."""
    p = pattern.priority
    ramp_extra = 2 * 0.4 * pattern.ramp_ms  # 50 % → 10 % point is 0.4 ramp, on each side
    hi = iec.PULSE_MS[p][1]
    if pattern.pulse_ms + ramp_extra > hi:
        errors.append(f"keys '{p}.pulse_ms' and '{p}.rise_pct': the pulse measured at its "
                      f"10 % points would last {pattern.pulse_ms + ramp_extra:g} ms; "
                      f"allowed up to {hi:g} ms")
    gap_lo = iec.SPACING_MS[p][0]
    if pattern.pulses > 1 and pattern.spacing_ms - ramp_extra < gap_lo:
        errors.append(f"keys '{p}.spacing_ms' and '{p}.rise_pct': the gap measured at the "
                      f"10 % points would be {pattern.spacing_ms - ramp_extra:g} ms; "
                      f"allowed from {gap_lo:g} ms")
    band_lo, band_hi = iec.HARMONIC_BAND_HZ
    in_band = [f for f in pattern.overtones_hz() if band_lo <= f <= band_hi]
    if len(in_band) < iec.MIN_HARMONICS:
        errors.append(f"keys '{p}.fundamental_hz' and '{p}.harmonics': only {len(in_band)} "
                      f"overtones of {pattern.fundamental_hz:g} Hz fall in "
                      f"{band_lo:g}–{band_hi:g} Hz; at least {iec.MIN_HARMONICS} needed")


def _merge(base: dict[str, Any], over: dict[str, Any], source: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "version":
            if value != 1:
                raise ConfigError(f"{source}: key 'version' is {value!r}; allowed: 1")
            continue
        if key not in _KEYS:
            raise ConfigError(f"{source}: unknown key '{key}'; allowed: "
                              + ", ".join(["version", *_KEYS]))
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: key '{key}' must be a table")
        for sub, v in value.items():
            if sub not in _KEYS[key]:
                raise ConfigError(f"{source}: unknown key '{key}.{sub}'; allowed: "
                                  + ", ".join(sorted(_KEYS[key])))
            out[key][sub] = v
    return out


def build(data: dict[str, Any], source: str) -> SoundConfig:
    """Check a complete settings table and build the patterns, or raise ConfigError."""
    errors: list[str] = []
    for priority in iec.PRIORITIES:
        _check_pattern(priority, data[priority], errors)
    _range(errors, "bedside.quiet_volume", data["bedside"]["quiet_volume"], *QUIET_VOLUME)
    if errors:
        raise ConfigError(f"{source}: " + "; ".join(errors))
    patterns = {}
    for priority in iec.PRIORITIES:
        t = data[priority]
        pulses = t.get("pulses", iec.PULSES[priority][0])
        patterns[priority] = Pattern(
            priority, float(t["fundamental_hz"]), int(t["harmonics"]), int(pulses),
            float(t["pulse_ms"]), float(t["spacing_ms"]), float(t["rise_pct"]),
            float(t["interburst_s"]), float(t["volume"]), float(t.get("mid_gap_ms", 0.0)))
        _check_derived(patterns[priority], errors)
    if errors:
        raise ConfigError(f"{source}: " + "; ".join(errors))
    return SoundConfig(patterns, float(data["bedside"]["quiet_volume"]), source)


def _read(path: Path, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML syntax error: {exc}") from exc


def load_sound_config(clinic_file: Path | None = None) -> SoundConfig:
    """The shipped defaults, with the clinic file's keys over them when it exists."""
    data = _read(DEFAULTS, "shipped alarm-sound.toml")
    source = "shipped alarm-sound.toml"
    if clinic_file is not None and clinic_file.exists():
        source = str(clinic_file)
        data = _merge(data, _read(clinic_file, source), source)
    return build(data, source)
