"""A virtual X screen with a window manager and a taskbar, as on a ward PC:
Xvfb (on a free display number, from ``-displayfd``) plus icewm. Used by the
screen tests and ``make screenshots``; needs the Debian packages xvfb, icewm
and x11-utils (``.ci/sysdeps.sh`` installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

NEEDED = ("Xvfb", "icewm", "xprop")
# The taskbar graph height sets the taskbar to 30 px, as on many ward PCs.
ICEWM_PREFERENCES = """\
ShowTaskBar=1
TaskBarAtTop=0
TaskBarAutoHide=0
TaskBarShowClock=1
TaskBarGraphHeight=29
ShowWelcome=0
"""


def missing_tools() -> list[str]:
    return [t for t in NEEDED if shutil.which(t) is None]


@dataclass
class XScreen:
    """``with XScreen(1366, 768) as x:`` then run programs with ``x.env``."""

    width: int
    height: int
    display: str = ""
    env: dict[str, str] = field(default_factory=dict)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> XScreen:
        missing = missing_tools()
        if missing:
            raise RuntimeError("virtual screen needs " + ", ".join(missing)
                               + " (Debian: xvfb, icewm, x11-utils; see .ci/sysdeps.sh)")
        read, write = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0",
             f"{self.width}x{self.height}x24", "-nolisten", "tcp", "-noreset"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        self._procs.append(xvfb)
        number = b""
        with os.fdopen(read, "rb") as pipe:
            number = pipe.readline().strip()
        if not number:
            self.__exit__(None, None, None)
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number.decode()}"
        self._tmp = tempfile.TemporaryDirectory(prefix="xscreen-")
        config = Path(self._tmp.name) / "icewm"
        config.mkdir()
        (config / "preferences").write_text(ICEWM_PREFERENCES)
        self.env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb",
                    "ICEWM_PRIVCFG": str(config)}
        self.env.pop("WAYLAND_DISPLAY", None)
        self._procs.append(subprocess.Popen(["icewm"], env=self.env,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        self._wait_for_taskbar()
        return self

    def workarea(self) -> tuple[int, int, int, int] | None:
        """x, y, width, height the window manager leaves to windows (_NET_WORKAREA)."""
        out = subprocess.run(["xprop", "-root", "_NET_WORKAREA"], env=self.env,
                             capture_output=True, text=True, check=False).stdout
        if "=" not in out:
            return None
        values = [int(v) for v in out.split("=", 1)[1].replace(",", " ").split()[:4]]
        return (values[0], values[1], values[2], values[3]) if len(values) == 4 else None

    def _wait_for_taskbar(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            area = self.workarea()
            if area is not None and area[3] < self.height:
                return
            if any(p.poll() is not None for p in self._procs):
                break
            time.sleep(0.1)  # polling another process: nothing to wait on
        self.__exit__(None, None, None)
        raise RuntimeError("the window manager did not set up its taskbar")

    def __exit__(self, *_exc: object) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._procs.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
