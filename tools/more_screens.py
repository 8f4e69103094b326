"""Screens of the questions and dialogs the whole-session walk passes through
without photographing: the discharge confirmation that lists every unmet item,
the artifact choice (which values of a reading are wrong, and what the flag
ends), and the devices dialog with a bound monitor. Each at 1366×768 and
1280×800 on a virtual X screen with a window manager and its taskbar
(``tools.xvfb``), the window driven by clicks and keys (``tools.walkthrough``):

    python -m tools.more_screens docs

One scene per process (``--scene``): the clinical one runs on a manual clock;
the devices one on the wall clock, since the simulated monitor
(``ketamine-monitor simulate``, run as a subprocess) stamps its messages now."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from monitor.app.simulator import CHECKLIST
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.model.session import Phase
from tools.walkthrough import START, Walk, WalkFailed, expect
from tools.xvfb import XScreen
from ui.common.theme import apply_theme
from ui.main_window import MainWindow

SIZES = ((1366, 768, ""), (1280, 800, "1280-"))
PATIENT = "MRN-0042"
SIM_MESSAGES = 30


class MoreWalk(Walk):
    """The steps to each dialog, on top of the whole-session walk's nurse actions."""

    def open_new_session(self, reading: tuple[str, str, str, str]) -> None:
        """The start form by keys, then the session with a pre-dose reading."""
        start = self.window.start_page
        self.type(start.edits["patient_id"], PATIENT, enter=True)
        for key, text in (("display_name", "Jane Doe"), ("weight_kg", "70.5"),
                          ("nurse_id", "RN7")):
            self.type(start.edits[key], text)
        start.indication.setFocus()
        start.indication.setCurrentIndex(start.indication.findText("CRPS"))
        self.click(start.start_button)
        page = self.page
        self.wait_for(lambda: page.charts is not None, "the charts were built")
        self.vitals(*reading)

    def dose_into_alarms(self) -> None:
        """Sedation at baseline, the checklist, Start; then a reading that raises
        BP, HR and SpO2 alarms at once."""
        page = self.page
        self.open_panel(page.assessment)
        self.click(page.assessment.sedation_buttons[5])
        self.click(page.assessment.record_button)
        self.open_panel(page.infusion)
        for key, combo in page.infusion.checklist.items():
            combo.setCurrentText(CHECKLIST[key])
        self.click(page.infusion.checklist_button)
        self.click(page.infusion.start_button)
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.INFUSING, "the infusion started")
        self.click(page.drawer.close_button)
        self.advance(10)
        self.vitals("136/84", "80", "97", "15")
        self.advance(10)
        self.vitals("190/115", "135", "89", "26")
        expect(len(page.recorder.session.active_alarms()) >= 5, "5 alarms at once")

    def artifact_choice(self) -> None:
        """F6, a click on the reading with BP, HR and SpO2, "Flag artifact…": the
        boxes (BP ticked) and the "Ends: …" line."""
        page = self.page
        self.key(Qt.Key.Key_F6)
        log = page.log
        expect(page.drawer.current() is log, "F6 opens the log")
        last = max((e for e in page.recorder.session.entry_list
                     if e.kind.value == "vitals_recorded"), key=lambda e: e.observed_at)
        row = next(i for i, ev in enumerate(log.model.rows) if ev.seq == last.seq)
        index = log.model.index(row, 2)
        log.table.scrollTo(index)
        QTest.mouseClick(log.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=log.table.visualRect(index).center())
        self.settle()
        chosen = log.selected_event()
        expect(chosen is not None and chosen.seq == last.seq, "a click selects the reading")
        self.click(log.artifact_button)
        dialog = log.artifact_dialog
        expect(dialog is not None and dialog.isVisible(), "the artifact choice opened")
        assert dialog is not None
        self.type(dialog.reason, "cuff slipped during the reading")
        expect(dialog.ends.text().startswith("Ends: "), "the dialog says which alarms end")
        self.check("artifact choice", "screen-artifact-choice.png")
        self.key(Qt.Key.Key_Escape)
        expect(not dialog.isVisible(), "Escape leaves the reading as it was")

    def discharge_confirmation(self) -> None:
        """End the infusion, a prescriber's decision, Discharge: the modal lists every
        unmet item; Enter goes back."""
        page = self.page
        self.open_panel(page.infusion)
        self.click(page.infusion.stop_button)
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.RECOVERY, "the infusion ended")
        self.advance(15)
        self.vitals("150/92", "104", "93", "18")
        d = page.discharge
        self.open_panel(d)
        self.click(d.escort)
        self.click(d.advice)
        d.override_kind.setFocus()
        d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
        self.settle()
        self.type(d.prescriber, "Dr Okafor")
        self.type(d.override, "patient insists on leaving, reviewed by physician")
        self.click(d.discharge_button)
        expect(d.unmet_dialog.isVisible(), "the unmet items are listed before discharge")
        self.check("discharge confirmation", "screen-discharge-confirm.png")
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.RECOVERY, "Enter goes back, nothing stored")

    def devices_bound(self, simulator: list[str]) -> None:
        """Devices…, a free port typed in, Listen; the simulated monitor sends; a click
        on its row, Bind: the panel names sender, bed and patient id."""
        self.click(self.window.devices_button)
        panel = self.window.device_panel
        expect(panel is not None and panel.isVisible(), "the devices dialog opened")
        port = free_port()
        edit = panel.port.lineEdit()
        edit.setFocus()
        edit.selectAll()
        QTest.keyClicks(edit, str(port))
        self.click(panel.listen_button)
        expect(panel.station is not None, "listening: " + panel.status.text())
        sim = subprocess.Popen([*simulator, "--to", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait_for(lambda: self._tick() and panel.table.rowCount() > 0,
                          "the simulated monitor is heard", timeout_ms=20000)
            cell = panel.table.item(0, 0)
            QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                             pos=panel.table.visualItemRect(cell).center())
            self.settle()
            self.click(panel.bind_button)
            expect(PATIENT in panel.message.text(), "binding names the patient id")
            recorder = self.page.recorder
            self.wait_for(lambda: self._tick() and any(
                e.source == "device" for e in recorder.session.events),
                "the bound monitor's values are recorded", timeout_ms=20000)
            self.settle(2500)  # a few more messages: the counts and last values move
            self._tick()
            self.check("devices dialog with a bound monitor", "screen-devices-bound.png")
        finally:
            sim.terminate()
            sim.wait(timeout=10)

    def _tick(self) -> bool:
        """The manual clock follows the wall clock here (the monitor stamps now)."""
        self.clock.set(datetime.now(UTC))
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_scene(scene: str, shots: Path, prefix: str, out: Path) -> int:
    """One scene in this process, on the X server of ``DISPLAY``."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName("ketamine-monitor-screens")
    apply_theme(app, "dark")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "screens.db") as store:
        clock = ManualClock(START if scene == "clinical" else datetime.now(UTC))
        window = MainWindow(store, clock, load_protocols())
        window.show()
        QTest.qWaitForWindowExposed(window, 5000)
        QTest.qWait(300)  # the window manager frames and places the window
        walk = MoreWalk(app, window, clock, shots)
        walk.prefix = prefix
        code = 1
        try:
            if scene == "clinical":
                walk.open_new_session(("128/82", "72", "98", "14"))
                walk.dose_into_alarms()
                walk.artifact_choice()
                walk.discharge_confirmation()
            else:  # HR and SpO2 typed before the monitor is bound: two alarm rows stay in view
                walk.open_new_session(("128/82", "135", "90", "14"))
                walk.devices_bound([sys.executable, "-m", "monitor.app.cli", "simulate",
                                    "--patient", PATIENT, "--count", str(SIM_MESSAGES)])
            code = 0
        except WalkFailed as exc:
            walk.results.append({"phase": "failed", "violations": [f"step failed: {exc}"]})
            print(f"more_screens: step failed: {exc}", file=sys.stderr)
        finally:
            out.write_text(json.dumps(walk.results, indent=1))
        window.shutdown()
        window.close()
    return code


def main(out_dir: str = "docs") -> int:
    """Every scene at both sizes; what lies off screen is printed."""
    shots = Path(out_dir)
    shots.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for width, height, prefix in SIZES:
            with XScreen(width, height) as screen:
                for scene in ("clinical", "devices"):
                    out = tmp / f"{prefix}{scene}.json"
                    env = {**screen.env, "XDG_CONFIG_HOME": str(tmp / f"config-{width}")}
                    code = subprocess.run(
                        [sys.executable, "-m", "tools.more_screens", "--scene", scene,
                         "--shots", str(shots), "--prefix", prefix, "--out", str(out)],
                        env=env, check=False).returncode
                    failed += code != 0
                    for record in json.loads(out.read_text()) if out.exists() else []:
                        for problem in record["violations"]:
                            print(f"{width}×{height} {record['phase']}: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="more_screens")
    parser.add_argument("out_dir", nargs="?", default="docs")
    parser.add_argument("--scene", choices=("clinical", "devices"))
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.scene is None:
        sys.exit(main(args.out_dir))
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(run_scene(args.scene, args.shots or Path(args.out_dir), args.prefix,
                       args.out or Path(os.devnull)))
