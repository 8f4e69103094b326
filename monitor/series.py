"""Growable time series of one parameter, for rules and charts.

Appends go to small Python lists (cheap per point); the numpy arrays are
brought up to date on the next read by one slice assignment, so folding a
day of 1 Hz samples does not pay for a numpy scalar store per point.
"""

from __future__ import annotations

import numpy as np


class Series:
    """Time (epoch s), value, entry seq and artifact flag, in time order."""

    __slots__ = ("_art", "_last_t", "_n", "_pa", "_ps", "_pt", "_pv", "_seq", "_t", "_v")

    def __init__(self, capacity: int = 256) -> None:
        self._t = np.empty(capacity, dtype=np.float64)
        self._v = np.empty(capacity, dtype=np.float64)
        self._seq = np.empty(capacity, dtype=np.int64)
        self._art = np.empty(capacity, dtype=bool)
        self._n = 0
        self._pt: list[float] = []
        self._pv: list[float] = []
        self._ps: list[int] = []
        self._pa: list[bool] = []
        self._last_t = -np.inf

    def append(self, t: float, v: float, seq: int, artifact: bool = False) -> bool:
        """Append; returns False (and stores nothing) if t is earlier than the last point."""
        if t < self._last_t:
            return False
        self._last_t = t
        self._pt.append(t)
        self._pv.append(v)
        self._ps.append(seq)
        self._pa.append(artifact)
        return True

    def _flush(self) -> None:
        k = len(self._pt)
        if not k:
            return
        need = self._n + k
        if need > len(self._t):
            cap = max(need, 2 * len(self._t))
            for name in ("_t", "_v", "_seq", "_art"):
                old = getattr(self, name)
                grown = np.empty(cap, dtype=old.dtype)
                grown[: self._n] = old[: self._n]
                setattr(self, name, grown)
        n = self._n
        self._t[n:need] = self._pt
        self._v[n:need] = self._pv
        self._seq[n:need] = self._ps
        self._art[n:need] = self._pa
        self._n = need
        self._pt, self._pv, self._ps, self._pa = [], [], [], []

    @property
    def n(self) -> int:
        return self._n + len(self._pt)

    @property
    def t(self) -> np.ndarray:
        self._flush()
        return self._t[: self._n]

    @property
    def v(self) -> np.ndarray:
        self._flush()
        return self._v[: self._n]

    @property
    def seq(self) -> np.ndarray:
        self._flush()
        return self._seq[: self._n]

    @property
    def artifact(self) -> np.ndarray:
        self._flush()
        return self._art[: self._n]

    def __len__(self) -> int:
        return self.n

    def last_valid(self) -> tuple[float, float, int] | None:
        """(t, value, seq) of the newest reading not flagged as artifact."""
        for i in range(len(self._pt) - 1, -1, -1):
            if not self._pa[i]:
                return self._pt[i], self._pv[i], self._ps[i]
        for i in range(self._n - 1, -1, -1):
            if not self._art[i]:
                return float(self._t[i]), float(self._v[i]), int(self._seq[i])
        return None

    def valid_between(self, t0: float, t1: float) -> np.ndarray:
        """Values of valid readings with t0 <= t <= t1."""
        t = self.t
        lo = int(np.searchsorted(t, t0, side="left"))
        hi = int(np.searchsorted(t, t1, side="right"))
        return self._v[lo:hi][~self._art[lo:hi]]
