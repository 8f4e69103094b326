"""Growable time series of one parameter, for rules and charts."""

from __future__ import annotations

import numpy as np


class Series:
    """Time (epoch s), value, entry seq and artifact flag, in time order."""

    __slots__ = ("_art", "_seq", "_t", "_v", "n")

    def __init__(self, capacity: int = 256) -> None:
        self._t = np.empty(capacity, dtype=np.float64)
        self._v = np.empty(capacity, dtype=np.float64)
        self._seq = np.empty(capacity, dtype=np.int64)
        self._art = np.empty(capacity, dtype=bool)
        self.n = 0

    def append(self, t: float, v: float, seq: int, artifact: bool = False) -> bool:
        """Append; returns False (and stores nothing) if t is earlier than the last point."""
        if self.n and t < self._t[self.n - 1]:
            return False
        if self.n == len(self._t):
            grow = max(256, self.n)
            self._t = np.concatenate([self._t, np.empty(grow)])
            self._v = np.concatenate([self._v, np.empty(grow)])
            self._seq = np.concatenate([self._seq, np.empty(grow, dtype=np.int64)])
            self._art = np.concatenate([self._art, np.empty(grow, dtype=bool)])
        i = self.n
        self._t[i], self._v[i], self._seq[i], self._art[i] = t, v, seq, artifact
        self.n += 1
        return True

    @property
    def t(self) -> np.ndarray:
        return self._t[: self.n]

    @property
    def v(self) -> np.ndarray:
        return self._v[: self.n]

    @property
    def seq(self) -> np.ndarray:
        return self._seq[: self.n]

    @property
    def artifact(self) -> np.ndarray:
        return self._art[: self.n]

    def __len__(self) -> int:
        return self.n

    def last_valid(self) -> tuple[float, float, int] | None:
        """(t, value, seq) of the newest reading not flagged as artifact."""
        for i in range(self.n - 1, -1, -1):
            if not self._art[i]:
                return float(self._t[i]), float(self._v[i]), int(self._seq[i])
        return None

    def valid_between(self, t0: float, t1: float) -> np.ndarray:
        """Values of valid readings with t0 <= t <= t1."""
        lo = int(np.searchsorted(self.t, t0, side="left"))
        hi = int(np.searchsorted(self.t, t1, side="right"))
        return self._v[lo:hi][~self._art[lo:hi]]
