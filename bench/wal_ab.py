"""What the writer's file check and the smaller WAL cost per commit (issue 25, point 1).

Two stores in one process, commits interleaved so both see the same load: one as
before (SQLite's default checkpoint every 1000 pages, no size limit, no path
check), one as shipped (checkpoint every 100 pages, WAL cut back to 1 MiB, path
checked before each COMMIT). Run: ``python -m bench.wal_ab`` (N=5000 commits each).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    top = Path(tempfile.mkdtemp())
    os.environ["XDG_CONFIG_HOME"] = str(top / "config")
    os.environ["XDG_DATA_HOME"] = str(top / "data")
    from monitor.log.sqlite.dbfile import OpenFile
    from monitor.log.sqlite.store import Store
    from monitor.model.events import EventKind

    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    old, new = Store(top / "old.db"), Store(top / "new.db")
    old._file = None  # no path check
    with old.raw() as conn:
        conn.execute("PRAGMA wal_autocheckpoint = 1000")
        conn.execute("PRAGMA journal_size_limit = -1")
    payload = {"sbp": 128, "dbp": 82, "map": 97.3, "hr": 72, "spo2": 98, "rr": 14,
               "o2": "air", "map_measured": False}
    times: dict[str, list[float]] = {"before": [], "now": []}
    wal = {"before": 0, "now": 0}
    pairs = (("now", new, top / "new.db-wal"), ("before", old, top / "old.db-wal"))
    for i in range(int(os.environ.get("N", "5000"))):
        for name, store, wal_path in pairs if i % 2 else pairs[::-1]:
            start = time.perf_counter()
            store.append("s1", EventKind.VITALS, payload, author="RN", observed_at=now,
                         recorded_at=now)
            times[name].append((time.perf_counter() - start) * 1000)
            if i % 25 == 0:
                wal[name] = max(wal[name], wal_path.stat().st_size)
    for name in ("before", "now"):
        v = sorted(times[name])
        print(f"{name}: {len(v)} commits, median {statistics.median(v):.3f} ms, mean "
              f"{statistics.mean(v):.3f} ms, p99 {v[int(len(v) * .99)]:.3f} ms, "
              f"largest WAL {wal[name] / 1024:.0f} KiB")
    check = OpenFile(top / "new.db")
    start = time.perf_counter()
    for _ in range(10_000):
        check.problem()
    print(f"path check alone: {(time.perf_counter() - start) / 10_000 * 1e6:.1f} µs")
    check.close()
    old.close()
    new.close()


if __name__ == "__main__":
    main()
