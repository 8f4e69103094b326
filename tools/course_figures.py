"""README screenshots of the course view and of the chart overlay, at
1366×768 on a real X server with a window manager (Xvfb and icewm; Debian
packages ``xvfb`` and ``icewm``), from the demo course in
``monitor.app.course_demo``. Run: ``python -m tools.course_figures docs``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (1366, 768)


def _start_display() -> list[subprocess.Popen[bytes]]:
    """Xvfb on a free display number (it writes the number to a pipe), then icewm."""
    if not (shutil.which("Xvfb") and shutil.which("icewm")):
        raise SystemExit("needs Xvfb and icewm (Debian: xvfb, icewm)")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                             f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"], pass_fds=(write,))
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    os.environ["DISPLAY"] = f":{number}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    wm = subprocess.Popen(["icewm"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [wm, xvfb]


def _settle(app: object, seconds: float = 1.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def main(out_dir: str = "docs") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    procs = _start_display()
    try:
        return _shoot(out)
    finally:
        for p in procs:
            p.terminate()
            p.wait(5)


def _shoot(out: Path) -> int:
    from monitor.app.course_demo import NOW, build_course
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import ManualClock
    from monitor.log.sqlite.store import Store
    from monitor.record.recorder import Recorder
    from tools.screenshots import screen_app
    from ui.main_window import MainWindow

    app = screen_app()
    protocols = load_protocols()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "series.db")
        ids = build_course(store)
        clock = ManualClock(NOW)
        window = MainWindow(store, clock, protocols)
        window.showMaximized()
        _settle(app)
        rec = Recorder(store, ids[4], clock, protocols)
        page = window.open_session(rec)
        page.export_folder = Path("/home/nurse/Documents")  # the picture shows no real path
        window.show_course()  # mid-infusion it opens only when asked (in the charts' place)
        _settle(app, 2.0)
        screen = app.primaryScreen()
        screen.grabWindow(0).save(str(out / "screen-series.png"))
        print(f"wrote {out / 'screen-series.png'}")
        window.course_view.close()
        # Later in today's infusion: BP climbing as it did last time.
        started = rec.session.infusion_started_at
        assert started is not None  # the course' last session is infusing
        for minute, bp in ((16, "146/92"), (25, "152/94"), (34, "158/96")):
            clock.advance(minute * 60 - (clock.now() - started).total_seconds())
            rec.record_vitals({"sbp": bp, "hr": "84", "spo2": "97", "rr": "14"}, "RN7")
            rec.record_assessment({"moaas": 5, "dissociation": 4}, "RN7")
        _settle(app, 2.0)
        screen.grabWindow(0).save(str(out / "screen-overlay.png"))
        print(f"wrote {out / 'screen-overlay.png'}")
        window.shutdown()
        window.close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
