"""The core imports where POSIX-only modules do not exist (Windows workstations)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import monitor
from monitor import portable

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: fcntl (and the other POSIX-only modules) are made
# unimportable before anything of the core is imported, then every module is.
_PROBE = """
import importlib, pkgutil, sys
for name in ("fcntl", "termios", "grp", "pwd", "resource"):
    sys.modules[name] = None  # "import fcntl" now raises ImportError
import monitor
names = sorted(m.name for m in pkgutil.walk_packages(monitor.__path__, "monitor."))
for name in names:
    importlib.import_module(name)
assert "fcntl" not in {k for k, v in sys.modules.items() if v is not None}
print(len(names))
"""


def test_every_core_module_imports_without_fcntl() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    expected = sum(1 for _ in pkgutil.walk_packages(monitor.__path__, "monitor."))
    assert int(out.stdout.split()[-1]) == expected > 30


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = os.open(path, os.O_RDWR | os.O_CREAT)
    second = os.open(path, os.O_RDWR)
    try:
        assert portable.try_lock(first)
        assert not portable.try_lock(second)
        portable.unlock(first)
        assert portable.try_lock(second)
    finally:
        os.close(first)
        os.close(second)


def test_key_mode_check_is_posix_only() -> None:
    assert portable.others_can_read(0o644) is (not portable.WINDOWS)
    assert not portable.others_can_read(0o600)
