"""Min/max envelope of a long series in fixed time buckets, kept up to date
incrementally: only the last bucket changes when a sample arrives. When a
pixel spans more than a bucket the envelope draws exactly like the raw data
under peak downsampling, at a fraction of the points."""

from __future__ import annotations

import numpy as np

BUCKET_S = 30.0


class Envelope:
    def __init__(self, bucket_s: float = BUCKET_S) -> None:
        self.bucket_s = bucket_s
        self.origin: float | None = None
        self.count = 0
        self._idx: list[int] = []
        self._lo: list[float] = []
        self._hi: list[float] = []

    def extend(self, t: np.ndarray, v: np.ndarray) -> None:
        """Add points (time-ordered, valid only)."""
        if not len(t):
            return
        if self.origin is None:
            self.origin = float(t[0])
        buckets = ((t - self.origin) // self.bucket_s).astype(np.int64)
        # Fold the new points per bucket with numpy, then merge into the tail.
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
        lows = np.minimum.reduceat(v, starts)
        highs = np.maximum.reduceat(v, starts)
        for b, lo, hi in zip(buckets[starts].tolist(), lows.tolist(), highs.tolist(),
                             strict=True):
            if self._idx and self._idx[-1] == b:
                self._lo[-1] = min(self._lo[-1], lo)
                self._hi[-1] = max(self._hi[-1], hi)
            else:
                self._idx.append(b)
                self._lo.append(lo)
                self._hi.append(hi)
        self.count += len(t)

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(t, v): for each bucket its low then its high, within the bucket."""
        if self.origin is None:
            return np.empty(0), np.empty(0)
        idx = np.asarray(self._idx, dtype=np.float64)
        x = np.empty(len(idx) * 2)
        y = np.empty(len(idx) * 2)
        x[0::2] = self.origin + idx * self.bucket_s
        x[1::2] = x[0::2] + self.bucket_s / 2
        y[0::2] = self._lo
        y[1::2] = self._hi
        return x, y
