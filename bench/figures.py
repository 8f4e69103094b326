"""How a benchmark figure is made: timings, percentiles, budgets and interleaved ratios.

Every step of ``bench.run`` builds its figures here, and nothing here imports another
module of ``bench`` (the steps import this, never the other way round).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def figure(name: str, values: list[float], unit: str, budget: dict[str, float],
           note: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "unit": unit, "runs": len(values),
                           "median": statistics.median(values), "p95": pct(values, 95),
                           "p99": pct(values, 99), "budget": budget, "note": note}
    out["pass"] = all(out[key] <= limit for key, limit in budget.items())
    return out


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    values = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        values.append((time.perf_counter() - t) * 1000)
    return values


def once_ms(fn: Callable[[], Any]) -> float:
    return timed(fn, 1)[0]


def interleaved(ours: Callable[[], float], baseline: Callable[[], float],
                pairs: int) -> tuple[list[float], list[float]]:
    """``ours`` and ``baseline`` (each returns its own time) alternating, A B A B, so
    each pair sees the same load on a busy machine."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(pairs):
        a.append(ours())
        b.append(baseline())
    return a, b


def ratio_figure(name: str, ours: list[float], baseline: list[float],
                 budget: float | None, note: str = "") -> dict[str, Any]:
    """The ratio of each interleaved pair; its median against the budget. A load that
    slows both sides of a pair leaves its ratio alone, where it would shift the ratio
    of two medians taken of differently loaded runs."""
    ratios = [a / b for a, b in zip(ours, baseline, strict=True)]
    spread = f"pairs' ratios {min(ratios):.2f}–{max(ratios):.2f}; median of pairs"
    return figure(name, ratios, "x", {} if budget is None else {"median": budget},
                  f"{note}; {spread}" if note else spread)
