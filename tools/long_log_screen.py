"""Look at a 24 h session's log on a real screen size: the window on a virtual X
screen with a window manager and a taskbar, the session opened, the log panel (F6)
shown, the screen saved.

    python -m tools.long_log_screen DB OUT.png [WIDTH HEIGHT]

``DB`` holds one session, e.g. from
``ketamine-monitor demo --headless --minutes 1440 --device-rate 1 --db DB``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.xvfb import XScreen

SHOW = """
import sys
from PySide6.QtCore import QTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from monitor.clock import ManualClock
from monitor.clinical.protocols import load_protocols
from monitor.record.recorder import Recorder
from monitor.log.sqlite.store import Store
from ui.common.theme import apply_theme
from ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
apply_theme(app, "dark")
store = Store(sys.argv[1])
(sid,) = store.session_ids()
protocols = load_protocols()
clock = ManualClock(store.events(sid)[-1].recorded_at)
rec = Recorder(store, sid, clock, protocols)
window = MainWindow(store, clock, protocols)
window.showMaximized()
page = window.open_session(rec)
if getattr(window, "course_view", None) is not None:
    window.course_view.close()

def shot():
    page.show_tab(page.log)
    QTimer.singleShot(1500, lambda: (print("ready", flush=True)))

QTimer.singleShot(2500, shot)
app.exec()
"""


def main(db: str, out: str, width: int = 1366, height: int = 768) -> int:
    with XScreen(width, height) as screen, tempfile.TemporaryDirectory() as tmp:
        root = Path(__file__).resolve().parents[1]
        config = Path(tmp) / "config"
        key = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
        key = key / "ketamine-monitor" / "record.key"  # the key that sealed DB
        if key.exists():
            (config / "ketamine-monitor").mkdir(parents=True)
            shutil.copy2(key, config / "ketamine-monitor" / "record.key")
        env = {**screen.env, "XDG_CONFIG_HOME": str(config), "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(root)}
        script = Path(tmp) / "show.py"
        script.write_text(SHOW)
        proc = subprocess.Popen([sys.executable, str(script), db], env=env,
                                stdout=subprocess.PIPE, text=True,
                                cwd=root)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("ready"):
                    break
            subprocess.run(["import", "-window", "root", out], env=env, check=True)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0], args[1], *(int(a) for a in args[2:4])))
