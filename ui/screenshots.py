"""Regenerate the README screenshots from a seeded demo session:
all normal, an active high alarm, recovery with the discharge checklist, and
the log with corrections; plus page 1 of the PDF report (needs pdftoppm)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from monitor.clock import ManualClock
from monitor.export import render
from monitor.protocols import load_protocols
from monitor.simulator import NURSE, DemoScript, open_demo, play
from monitor.store import Store
from ui.main_window import MainWindow
from ui.theme import apply_theme

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SIZE = (1600, 1000)


def _shot(app: QApplication, window: MainWindow, path: Path) -> None:
    for _ in range(10):
        app.processEvents()
    window.grab().save(str(path))
    print(f"wrote {path}")


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
    app = screen_app()
    protocols = load_protocols()
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        store = Store(Path(tmp) / "screens.db")
        rec = open_demo(store, clock, protocols)
        script = DemoScript(7)
        window = MainWindow(store, clock, protocols)
        window.resize(*SIZE)
        window.show()
        index = play(script, rec, clock, START, until_s=34 * 60)
        page = window.open_session(rec)
        _shot(app, window, out / "screen-normal.png")

        index = play(script, rec, clock, START, until_s=47 * 60, from_index=index)
        rec.record_vitals({"sbp": "186/104", "hr": "104", "spo2": "97", "rr": "16"}, NURSE)
        _shot(app, window, out / "screen-high-alarm.png")

        index = play(script, rec, clock, START, until_s=script.stop_at_s - 40,
                     from_index=index)
        page = window.open_session(rec)
        page.show_tab(page.discharge)
        page.discharge.refresh()
        page.discharge.escort.setChecked(True)
        page.discharge.advice.setChecked(True)
        _shot(app, window, out / "screen-recovery-discharge.png")

        vitals = [e for e in rec.session.entry_list if e.kind.value == "vitals_recorded"]
        rec.amend(NURSE, vitals[4].seq, {"sbp": str(int(vitals[4].payload["sbp"]) + 2)},
                  "misread the display")
        rec.flag_artifact(NURSE, vitals[6].seq, "cuff on moving arm")
        note = rec.add_note(NURSE, "Entered on the wrong patient")
        rec.strike(NURSE, note.seq, "wrong patient")
        page.show_tab(page.log)
        page.split.setSizes([420, 560])
        page.log.refresh()
        page.log.select_seq(vitals[4].seq)
        _shot(app, window, out / "screen-log-corrections.png")
        window.shutdown()
        window.close()

        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(render(rec.session, protocols, "pdf", now=clock.now()))
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                            "-singlefile", str(pdf), str(out / "report-page1")], check=True)
            print(f"wrote {out / 'report-page1.png'}")
        else:
            print("pdftoppm not found (Debian: poppler-utils); report page not rendered")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
