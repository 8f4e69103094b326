"""Fresh interpreters running ``bench.child``: the window's cold start and memory."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from monitor.log.sqlite.sealing import KEY_ENV, key_file


def child_env() -> dict[str, str]:
    """A launched window's environment: fresh settings (no remembered geometry), and
    the record key that sealed the cached sessions (a writer never makes a key of its
    own for a database sealed with another)."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", KEY_ENV: str(key_file()),
            "XDG_CONFIG_HOME": tempfile.mkdtemp()}


def _cpu_ms() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) * 1000


def launch(args: list[str]) -> dict[str, float]:
    """A fresh interpreter running ``bench.child``: ms from launch to each mark, and
    "CPU": the CPU time the child used until it exited (at its last mark). CPU time
    barely moves when other work shares the machine; wall time does."""
    env = child_env()
    t0, cpu = time.time(), _cpu_ms()
    proc = subprocess.run([sys.executable, "-m", "bench.child", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    used = _cpu_ms() - cpu
    marks = {line.split()[0]: (float(line.split()[1]) - t0) * 1000
             for line in proc.stdout.splitlines() if line.split()[:1] in (["PAINTED"],
                                                                         ["COMPLETE"])}
    if "PAINTED" not in marks:
        raise RuntimeError(f"child did not paint: {proc.stderr[-2000:]}")
    marks["CPU"] = used
    return marks


def launch_copy(db: Path, args: list[str]) -> dict[str, float]:
    """``launch`` on a fresh copy of ``db`` (its path as the first argument)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "s.db"
        shutil.copy(db, copy)
        return launch([args[0], str(copy), *args[1:]])
