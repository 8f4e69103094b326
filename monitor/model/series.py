"""Time series of one parameter, for rules and charts.

Columns are compact ``array.array``s: appending is cheap, the rules search
them with ``bisect`` (no numpy, so the window can open without importing it),
and charts and exports get numpy copies on first read, cached until the next
append. (Copies, not views: an array that exports a buffer cannot grow.)
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class Series:
    """Time (epoch s), value, entry seq and artifact flag, in time order."""

    __slots__ = ("_art", "_cache", "_dev", "_seq", "_t", "_v")

    def __init__(self) -> None:
        self._t = array("d")
        self._v = array("d")
        self._seq = array("q")
        self._art = array("b")
        self._dev = array("b")  # 1: sent by a monitor (a continuous stream)
        self._cache: dict[str, Any] = {}

    def append(self, t: float, v: float, seq: int, artifact: bool = False,
               device: bool = False) -> bool:
        """Append; returns False (and stores nothing) if t is earlier than the last point."""
        if self._t and t < self._t[-1]:
            return False
        self._t.append(t)
        self._v.append(v)
        self._seq.append(seq)
        self._art.append(artifact)
        self._dev.append(device)
        if self._cache:
            self._cache = {}
        return True

    def insert(self, t: float, v: float, seq: int, artifact: bool = False,
               device: bool = False) -> None:
        """Insert a late reading in time order (after the readings at the same time,
        as a fold in (time, seq) order puts it): no refold of anything else."""
        i = bisect_right(self._t, t)
        self._t.insert(i, t)
        self._v.insert(i, v)
        self._seq.insert(i, seq)
        self._art.insert(i, artifact)
        self._dev.insert(i, device)
        if self._cache:
            self._cache = {}

    def extend(self, t: list[float], v: list[float], seq: list[int], device: list[bool]) -> None:
        """Append readings already known to be in time order (none an artifact)."""
        self._t.extend(t)
        self._v.extend(v)
        self._seq.extend(seq)
        self._art.frombytes(bytes(len(t)))
        self._dev.extend(device)
        if self._cache:
            self._cache = {}

    def last_time(self) -> float:
        return self._t[-1] if self._t else float("-inf")

    def _numpy(self, name: str) -> np.ndarray:
        cached = self._cache.get(name)
        if cached is None:
            import numpy as np  # ~60 ms: charts and exports only, after the first paint
            column = getattr(self, name)
            dtype = {"_t": np.float64, "_v": np.float64, "_seq": np.int64, "_art": np.int8}[name]
            cached = np.frombuffer(column, dtype=dtype).copy() if len(column) else np.empty(
                0, dtype=dtype)
            if name == "_art":
                cached = cached.astype(bool)
            self._cache[name] = cached
        return cached

    @property
    def t(self) -> np.ndarray:
        return self._numpy("_t")

    @property
    def v(self) -> np.ndarray:
        return self._numpy("_v")

    @property
    def seq(self) -> np.ndarray:
        return self._numpy("_seq")

    @property
    def artifact(self) -> np.ndarray:
        return self._numpy("_art")

    def __len__(self) -> int:
        return len(self._t)

    def last_valid(self) -> tuple[float, float, int] | None:
        """(t, value, seq) of the newest reading not flagged as artifact."""
        art = self._art
        for i in range(len(art) - 1, -1, -1):
            if not art[i]:
                return self._t[i], self._v[i], self._seq[i]
        return None

    def last_valid_before(self, t: float, seq: int) -> float | None:
        """Value of the newest valid reading ordered before (t, seq)."""
        for i in range(bisect_right(self._t, t) - 1, -1, -1):
            if (self._t[i], self._seq[i]) < (t, seq) and not self._art[i]:
                return self._v[i]
        return None

    def device_seqs_at(self, t: float) -> list[int]:
        """Entry seqs of a monitor's readings at exactly ``t`` (artifacts included)."""
        lo, hi = bisect_left(self._t, t), bisect_right(self._t, t)
        return [self._seq[i] for i in range(lo, hi) if self._dev[i]]

    def valid_between(self, t0: float, t1: float, device_only: bool = False) -> list[float]:
        """Values of valid readings with t0 <= t <= t1 (only a monitor's, if asked)."""
        lo = bisect_left(self._t, t0)
        hi = bisect_right(self._t, t1)
        art, v, dev = self._art, self._v, self._dev
        return [v[i] for i in range(lo, hi) if not art[i] and (dev[i] or not device_only)]

    def valid_points_after(self, t0: float) -> list[tuple[float, float, bool]]:
        """(t, value, sent by a monitor) of the valid readings after ``t0``, in time order."""
        art, v, t, dev = self._art, self._v, self._t, self._dev
        return [(t[i], v[i], bool(dev[i])) for i in range(bisect_right(t, t0), len(t))
                if not art[i]]

    def held_for(self, beyond: Callable[[float], bool], seconds: float,
                 device_only: bool = False) -> bool:
        """True when the newest valid readings have all been ``beyond`` for at least
        ``seconds`` (walks back only that far: cheap on a long 1 Hz stream)."""
        art, v, t, dev = self._art, self._v, self._t, self._dev
        newest = None
        for i in range(len(v) - 1, -1, -1):
            if art[i] or (device_only and not dev[i]):
                continue
            if not beyond(v[i]):
                return False
            if newest is None:
                newest = t[i]
            if newest - t[i] >= seconds:
                return True
        return False

    def device_period(self, samples: int = 6) -> float | None:
        """The sender's observed period: the median gap between its newest
        ``samples`` readings (None with fewer than two). Kept until the series changes:
        every rule asks it of every stream at each evaluation."""
        key = f"period{samples}"
        if key in self._cache:
            cached: float | None = self._cache[key]
            return cached
        period = self._device_period(samples)
        self._cache[key] = period
        return period

    def _device_period(self, samples: int) -> float | None:
        t, dev = self._t, self._dev
        times: list[float] = []
        for i in range(len(t) - 1, -1, -1):
            if dev[i]:
                times.append(t[i])
                if len(times) == samples:
                    break
        gaps = sorted(a - b for a, b in pairwise(times))
        return gaps[len(gaps) // 2] if gaps else None

    def held_values(self, seconds: float) -> list[float] | None:
        """Values of the valid readings that cover the newest ``seconds`` (back to the
        first one at least that old); None when the readings do not reach back so far."""
        art, v, t = self._art, self._v, self._t
        newest = None
        out: list[float] = []
        for i in range(len(v) - 1, -1, -1):
            if art[i]:
                continue
            if newest is None:
                newest = t[i]
            out.append(v[i])
            if newest - t[i] >= seconds:
                return out
        return None


class Readings:
    """Readings gathered for many series during a bulk fold, then appended to each
    series at once (a column grows by one C-level extend, not one call per reading)."""

    def __init__(self, series: dict[str, Series]) -> None:
        self.series = series
        self.columns: dict[str, tuple[list[float], list[float], list[int], list[bool]]] = {
            name: ([], [], [], []) for name in series}
        # Each column's list appends, bound once: the bulk fold calls them per reading.
        self.appenders: dict[str, tuple[Callable[[float], None], Callable[[float], None],
                                        Callable[[int], None], Callable[[bool], None]]] = {
            name: (t.append, v.append, seq.append, device.append)
            for name, (t, v, seq, device) in self.columns.items()}

    def drop(self, seq: int) -> None:
        for column in self.columns.values():
            while column[2] and column[2][-1] == seq:
                for part in column:
                    part.pop()

    def flush(self) -> bool:
        """Append what was gathered to the series; True when anything was."""
        added = False
        for name, column in self.columns.items():
            if column[0]:
                self.series[name].extend(*column)
                for part in column:
                    part.clear()
                added = True
        return added

    def last_time(self) -> float:
        return max((s.last_time() for s in self.series.values()), default=float("-inf"))
