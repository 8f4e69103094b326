"""What each speed device of the code is worth, with and without it, interleaved:
`python -m bench.run "speed tricks"`. The figures quoted at each device come from here.

- the lighter PySide6 import check (ui/common/startup.py): cold start, app launched with
  and without it;
- the paused garbage collector while a whole session is read and folded
  (monitor/model/bulk.py): reopen and fold with and without the pause;
- the bulk fold (``Session.extend``): a 24 h log folded by it and by ``apply`` one event
  at a time.
"""

from __future__ import annotations

import statistics
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from bench.figures import figure, interleaved, once_ms, ratio_figure
from bench.launch import launch_copy
from monitor.log.eventlog import open_log
from monitor.log.sqlite import store as store_module
from monitor.model import session as session_module
from monitor.model.bulk import bulk
from monitor.model.events import Event
from monitor.model.session import Session


def _saved(name: str, without: list[float], with_: list[float]) -> dict[str, Any]:
    saved = [a - b for a, b in zip(without, with_, strict=True)]
    return figure(name, saved, "ms", {},
                  f"median without {statistics.median(without):.0f} ms, with "
                  f"{statistics.median(with_):.0f} ms")


def import_check(db: Path, sid: str, runs: int = 9) -> list[dict[str, Any]]:
    """The app with and without the lighter check, to its first paint and fully built:
    CPU time of each process (wall time in the note)."""
    launches: dict[str, list[dict[str, float]]] = {m: [] for m in
                                                    ("paint-plain", "paint", "app-plain", "app")}

    def run(modes: tuple[str, ...]) -> float:
        for mode in modes:
            launches[mode].append(launch_copy(db, [mode, sid]))
        return 0.0

    interleaved(lambda: run(("paint-plain", "app-plain")), lambda: run(("paint", "app")), runs)
    out = []
    for what, plain, light, mark in (("first paint", "paint-plain", "paint", "PAINTED"),
                                     ("fully built", "app-plain", "app", "COMPLETE")):
        without = [m["CPU"] for m in launches[plain]]
        with_ = [m["CPU"] for m in launches[light]]
        wall = statistics.median(a[mark] - b[mark] for a, b in
                                 zip(launches[plain], launches[light], strict=True))
        fig = _saved(f"speed trick: lighter PySide6 import check, CPU ms saved to {what}",
                     without, with_)
        fig["note"] += f" (CPU); wall time saved {wall:.0f} ms (median of pairs)"
        out.append(fig)
    return out


def _read_fold(db: Path, sid: str, fold_in: Any) -> None:
    with open_log(db, readonly=True) as log:
        events = log.events(sid)
        with fold_in():
            Session(sid).extend(events)


def gc_pause(db: Path, sid: str, runs: int = 7) -> list[dict[str, Any]]:
    """Reopen and fold with the collector paused (as shipped) and running."""
    def without() -> float:
        store_module.bulk = nullcontext  # type: ignore[assignment]
        try:
            return once_ms(lambda: _read_fold(db, sid, nullcontext))
        finally:
            store_module.bulk = bulk

    paused = lambda: once_ms(lambda: _read_fold(db, sid, bulk))  # noqa: E731
    running, shipped = interleaved(without, paused, runs)
    return [ratio_figure("speed trick: reopen and fold, collector running / paused "
                         "(interleaved pairs)", running, shipped, None),
            _saved("speed trick: paused collector, ms saved per reopen and fold of 24 h",
                   running, shipped)]


def _one_by_one(sid: str, events: list[Event]) -> Session:
    session = Session(sid)
    for ev in events:
        session.apply(ev)
    return session


def bulk_fold(db: Path, sid: str, runs: int = 7) -> list[dict[str, Any]]:
    """The fold alone (events read once), collector paused for both."""
    with open_log(db, readonly=True) as log:
        events = log.events(sid)

    def by(fold: Any) -> float:
        with bulk():
            return once_ms(lambda: fold(sid, events))

    apply_ms, extend_ms = interleaved(lambda: by(_one_by_one), lambda: by(session_module.fold),
                                      runs)
    return [ratio_figure("speed trick: fold of a 24 h log, apply one by one / bulk extend "
                         "(interleaved pairs)", apply_ms, extend_ms, None),
            _saved("speed trick: bulk fold, ms saved per fold of 24 h", apply_ms, extend_ms)]


def run(four_hour: tuple[Path, str], day: tuple[Path, str]) -> list[dict[str, Any]]:
    return [*import_check(*four_hour), *gc_pause(*day), *bulk_fold(*day)]
