"""Regenerate the README screenshots: the real window at 1366×768 on a virtual
X screen with a window manager and a 30 px taskbar (``tools.xvfb``), driven
through a whole session by ``tools.walkthrough``; the screen is saved with
ImageMagick's ``import -window root``. Also a light-theme pair and page 1 of
the PDF report (pdftoppm)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.export import render
from monitor.log.sqlite.sealing import KEY_ENV
from monitor.log.sqlite.store import Store
from tools.xvfb import XScreen
from ui.common.theme import apply_theme

SIZE = (1366, 768)
# Check boxes and the close-and-sign step: live and locked controls, in both themes.
CONTROLS = ("screen-discharge-boxes.png", "screen-close-sign.png")
LIGHT = ("screen-normal.png", "screen-high-alarm.png", *CONTROLS)
# The questions before monitoring ends, and alarms beside a panel, at 1280×800 too.
SMALL = ("screen-close-question.png", "screen-leave-question.png",
         "screen-alarms-panel.png", "screen-paused.png", *CONTROLS)


def _walk(screen: XScreen, out: Path, tmp: Path, *extra: str, config: str = "config") -> Path:
    """One walk; ``config``: its settings folder (a window remembers its size there)."""
    db = tmp / f"walk{len(list(tmp.iterdir()))}.db"
    # One record key for every walk and for the report read afterwards (a writer never
    # makes a key of its own for a database sealed with another).
    env = {**screen.env, "XDG_CONFIG_HOME": str(tmp / config), KEY_ENV: str(tmp / "record.key")}
    subprocess.run([sys.executable, "-m", "tools.walkthrough", "--out", str(tmp / "walk.json"),
                    "--db", str(db), "--shots", str(out), *extra], env=env, check=True)
    return db


def screen_app() -> QApplication:
    """The application for screenshots: its own settings folder, dark theme."""
    os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName("ketamine-monitor-screens")
    apply_theme(app, "dark")
    return app


def main(out_dir: str = "docs") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name, XScreen(*SIZE) as screen:
        tmp = Path(tmp_name)
        key = tmp / "record.key"  # the walks' own clinic key (mode 0600, as a key must be)
        key.touch(mode=0o600)
        key.write_text(secrets.token_hex(32) + "\n")
        db = _walk(screen, out, tmp)
        _walk(screen, out, tmp, "--theme", "light", "--prefix", "light-",
              "--only", ",".join(LIGHT))
        with XScreen(1280, 800) as small:
            _walk(small, out, tmp, "--prefix", "1280-", "--only", ",".join(SMALL),
                  config="config-1280")  # not the size remembered at 1366×768
        os.environ[KEY_ENV] = str(tmp / "record.key")
        with Store(db) as store:
            (sid,) = store.session_ids()
            from monitor.record.recorder import Recorder
            from tools.walkthrough import START
            clock = ManualClock(START)
            protocols = load_protocols()
            rec = Recorder(store, sid, clock, protocols)
            last = rec.session.events[-1].recorded_at
            clock.set(last)
            pdf = tmp / "report.pdf"
            pdf.write_bytes(render(rec.session, protocols, "pdf", now=last))
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                            "-singlefile", str(pdf), str(out / "report-page1")], check=True)
            print(f"wrote {out / 'report-page1.png'}")
        else:
            print("pdftoppm not found (Debian: poppler-utils); report page not rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
