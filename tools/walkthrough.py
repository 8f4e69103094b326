"""Drive the real window through a whole session the way a nurse does (clicks
and keys only) and, in each phase, check that every visible, enabled control
and the window's frame lie inside the screen's available area.

Run it on a real X server with a window manager (``tools.xvfb``):

    python -m tools.walkthrough --out results.json [--shots DIR]

It writes one record per phase (what was checked, what was outside, the BP
lane's height) and exits 1 at the first step that does not do what the nurse
expects. ``--shots`` saves the screen (``import -window root``) at the main
phases. The screen tests and ``make screenshots`` both use it."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QWidget,
)

from monitor.app.simulator import CHECKLIST
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.model.session import Phase
from ui.common.theme import apply_theme
from ui.main_window import MainWindow
from ui.session.session_page import SessionPage

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


class WalkFailed(Exception):
    pass


def expect(condition: object, what: str) -> None:
    if not condition:
        raise WalkFailed(what)


def _name(w: QWidget) -> str:
    text = getattr(w, "text", lambda: "")()
    return f"{type(w).__name__} {w.accessibleName() or w.objectName()!r} {text!r}".strip()


def _global_rect(w: QWidget) -> QRect:
    return QRect(w.mapToGlobal(QPoint(0, 0)), w.size())


def _inner_part(w: QWidget) -> bool:
    """Parts of a composite control (a spin box's line edit, a table's corner)."""
    if w.metaObject().className() == "QTableCornerButton":
        return True
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def outside(window: QWidget, avail: QRect) -> list[str]:
    """Every visible, enabled control (in the window and its open dialogs) that is
    not wholly on the available screen area or is cut off by a parent."""
    problems = []
    tops = [window] + [w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QDialog) and w.isVisible()]
    for top in tops:
        frame = top.frameGeometry()
        if not avail.contains(frame):
            problems.append(f"frame of {type(top).__name__} {frame.getRect()} outside "
                            f"{avail.getRect()}")
        placed: list[tuple[QWidget, QRect]] = []
        for w in top.findChildren(QWidget):
            if not isinstance(w, INTERACTIVE) or not w.isVisible() or not w.isEnabled():
                continue
            if _inner_part(w) or w.window() is not top:
                continue
            rect = _global_rect(w)
            for other, other_rect in placed:  # one control drawn over another
                if rect.intersects(other_rect) and not (
                        other.isAncestorOf(w) or w.isAncestorOf(other)):
                    problems.append(f"{_name(w)} at {rect.getRect()} overlaps {_name(other)}")
            placed.append((w, rect))
            if not avail.contains(rect):
                problems.append(f"{_name(w)} at {rect.getRect()} off screen")
                continue
            parent = w.parentWidget()
            while parent is not None and parent is not top:
                if not _global_rect(parent).contains(rect):
                    problems.append(f"{_name(w)} at {rect.getRect()} cut off by "
                                    f"{type(parent).__name__}")
                    break
                parent = parent.parentWidget()
    return problems


class Walk:
    def __init__(self, app: QApplication, window: MainWindow, clock: ManualClock,
                 shots: Path | None) -> None:
        self.app = app
        self.window = window
        self.clock = clock
        self.shots = shots
        self.prefix = ""
        self.only: set[str] = set()
        self.results: list[dict[str, Any]] = []

    # -- acting like a nurse -----------------------------------------------------
    def settle(self, ms: int = 80) -> None:
        QTest.qWait(ms)

    def wait_for(self, condition: Any, what: str, timeout_ms: int = 3000) -> None:
        waited = 0
        while not condition() and waited < timeout_ms:
            QTest.qWait(20)
            waited += 20
        expect(condition(), what)

    def click(self, w: QWidget) -> None:
        expect(w.isVisible() and w.isEnabled(), f"{_name(w)} can be clicked")
        QTest.mouseClick(w, Qt.MouseButton.LeftButton)
        self.settle()

    def type(self, edit: QLineEdit, text: str, enter: bool = False) -> None:
        expect(edit.isVisible() and edit.isEnabled(), f"{_name(edit)} can be typed in")
        edit.setFocus()
        edit.selectAll()
        QTest.keyClicks(edit, text)
        if enter:
            QTest.keyClick(edit, Qt.Key.Key_Return)
        self.settle()

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
            ) -> None:
        target = QApplication.focusWidget() or self.window
        QTest.keyClick(target, key, modifier)
        self.settle()

    def advance(self, minutes: float) -> None:
        self.clock.advance(minutes * 60)
        if self.window.page is not None:
            self.window.page.tick()
        self.settle(20)

    def vitals(self, sbp: str, hr: str, spo2: str, rr: str) -> None:
        v = self.page.vitals
        for key, text in (("sbp", sbp), ("hr", hr), ("spo2", spo2)):
            self.type(v.edits[key], text)
        self.type(v.edits["rr"], rr, enter=True)
        expect(v.saved_label.text().startswith("✓ Saved"), "vitals saved")

    def open_panel(self, panel: QWidget) -> None:
        page = self.page
        if page.drawer.current() is not panel:
            self.click(page.drawer.buttons[panel])
        expect(page.drawer.current() is panel, "the panel opened")

    # -- checking ------------------------------------------------------------------
    def check(self, phase: str, shot: str | None = None) -> None:
        self.settle(150)
        avail = self.window.screen().availableGeometry()
        record: dict[str, Any] = {
            "phase": phase, "avail": avail.getRect(),
            "frame": self.window.frameGeometry().getRect(),
            "violations": outside(self.window, avail),
            "x_client": x_client_rect(int(self.window.winId())),
        }
        page = self.window.page
        if page is not None and page.charts is not None:
            record["bp_lane_px"] = round(page.charts.plots["bp"].getViewBox().height())
            record["alarm_rows"] = sum(r.isVisible() for r in page.banner.rows)
            panel = page.drawer.current()
            if panel is not None:  # how far the open panel would have to scroll
                record["panel_scroll"] = page.drawer.scrolls[panel].verticalScrollBar().maximum()
        self.results.append(record)
        if shot and self.shots is not None and (not self.only or shot in self.only):
            self.shots.mkdir(parents=True, exist_ok=True)
            if page is not None:  # a flashing alarm is photographed lit
                page.banner.stop()
                for row in page.banner.rows:
                    row.paint(True)
                self.settle(50)
            path = self.shots / (self.prefix + shot)
            subprocess.run(["import", "-window", "root", str(path)], check=True)
            print(f"wrote {path}")

    @property
    def page(self) -> SessionPage:
        """The open session's page (the walk fails here when none is open)."""
        page = self.window.page
        if page is None:
            raise WalkFailed("a session is open")
        return page

    # -- the session -----------------------------------------------------------------
    def run(self) -> None:
        w = self.window
        start = w.start_page
        expect(start.isVisible(), "the start page shows first")
        expect(start.edits["patient_id"].hasFocus(), "the cursor starts in the patient field")
        self.check("start form", "screen-start.png")
        self.type(start.edits["patient_id"], "MRN-0042", enter=True)
        expect(start.edits["display_name"].hasFocus(), "Enter moves to the next field")
        for key, text in (("display_name", "Jane Doe"), ("weight_kg", "70.5"),
                          ("nurse_id", "RN7")):
            self.type(start.edits[key], text)
        start.indication.setFocus()
        start.indication.setCurrentIndex(start.indication.findText("CRPS"))
        expect(start.protocol.currentData() == "chronic-pain-iv", "CRPS suggests its protocol")
        self.click(start.start_button)
        page = self.page
        expect(page.isVisible(), "the session opened")
        self.wait_for(lambda: page.charts is not None, "the charts were built")

        self.vitals("128/82", "72", "98", "14")
        self.open_panel(page.assessment)
        self.click(page.assessment.sedation_buttons[5])
        self.click(page.assessment.record_button)
        expect(page.assessment.saved.text().startswith("✓ Saved"), "assessment saved")
        self.check("baseline", "screen-assessment.png")

        self.open_panel(page.infusion)
        # The clinic's pre-infusion checklist, answered before dosing.
        for key, combo in page.infusion.checklist.items():
            combo.setCurrentText(CHECKLIST[key])
        self.click(page.infusion.checklist_button)
        expect(page.infusion.checklist_state.text() == "✓ Checklist recorded",
               "the checklist was recorded")
        self.click(page.infusion.start_button)
        expect(page.infusion.dialog.isVisible(), "start asks for confirmation")
        self.check("start confirmation", "screen-confirm.png")
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.INFUSING, "Enter confirmed the start")
        self.click(page.drawer.close_button)

        for minutes, (sbp, hr) in enumerate((("134/84", "78"), ("138/85", "82"),
                                              ("142/86", "84"))):
            self.advance(10)
            self.vitals(sbp, hr, "97", str(14 + minutes))
            if minutes == 1:  # sedation, pain and dissociation on their cadence
                self.open_panel(page.assessment)
                self.click(page.assessment.sedation_buttons[5])
                self.type(page.assessment.pain.lineEdit(), "3")
                self.type(page.assessment.dissociation.lineEdit(), "4")
                self.click(page.assessment.record_button)
                expect((page.recorder.session.latest("pain") or (0, None))[1] == 3,
                       "pain 3 recorded")
                self.click(page.drawer.close_button)
        self.open_panel(page.events)
        self.click(page.events.quick_buttons["music_on"])
        expect(page.recorder.session.events[-1].payload.get("code") == "music_on",
               "a quick event button records its event")
        self.click(page.drawer.close_button)
        page.vitals.focus_first()
        self.key(Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
        expect(page.recorder.session.events[-1].payload.get("code") == "nausea",
               "Alt+1 records a quick event from anywhere")
        expect(page.vitals.edits["sbp"].text() == "", "Alt+1 typed nothing into SBP")
        self.check("infusing", "screen-normal.png")

        self.advance(10)
        self.vitals("190/115", "135", "89", "26")
        active = page.recorder.session.active_alarms()
        expect(len(active) >= 5, f"5 alarms at once (got {len(active)})")
        self.check("infusing with 5 alarms", "screen-high-alarm.png")
        self.ask_before_ending()
        self.key(Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        expect(page.banner.ack_panel.isVisible(), "Ctrl+K opens the acknowledgement")
        self.check("acknowledging")
        self.key(Qt.Key.Key_Return)
        expect(page.banner.rows[0].acknowledged or not page.banner.ack_panel.isVisible(),
               "Enter acknowledged the first row")
        for panel in (page.assessment, page.infusion, page.events, page.log,
                      page.alarm_history, page.discharge):
            self.open_panel(panel)
            title = page.drawer.titles[panel]
            self.check(f"infusing with alarms: {title} panel",
                       "screen-alarms-panel.png" if title == "Events" else None)
        self.amend_last_vitals()
        self.check("log with a correction", "screen-log-corrections.png")
        self.flag_cuff_reading()

        self.open_panel(page.infusion)
        self.type(page.infusion.reason, "nausea")
        self.click(page.infusion.pause_button)
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.paused, "paused")
        self.check("paused", "screen-paused.png")
        self.advance(5)
        self.click(page.infusion.resume_button)
        self.key(Qt.Key.Key_Return)
        self.advance(5)
        self.vitals("136/84", "80", "97", "15")
        self.click(page.infusion.stop_button)
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.RECOVERY, "the infusion ended")
        self.check("recovery")

        for _ in range(5):
            self.advance(15)
            self.vitals("128/80", "74", "98", "14")
        self.acknowledge_all()
        self.open_panel(page.assessment)
        self.click(page.assessment.sedation_buttons[5])
        self.click(page.assessment.record_button)
        self.acknowledge_all()
        d = page.discharge
        self.open_panel(d)
        self.check("discharge boxes", "screen-discharge-boxes.png")  # unticked: outlined
        self.click(d.escort)
        self.click(d.advice)
        unmet = any(lab.text().startswith("✗") for lab in d.check_labels.values())
        if unmet:  # a prescriber's decision, then the list of unmet items is confirmed
            d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
            self.settle()
            self.type(d.prescriber, "Dr Okafor")
            self.type(d.override, "reviewed by physician, stable to go home")
        self.check("discharge", "screen-recovery-discharge.png")
        self.click(d.discharge_button)
        if unmet:
            expect(d.unmet_dialog.isVisible(), "the unmet items are listed before discharge")
            self.click(d.unmet_dialog.confirm_button)
        expect(page.recorder.session.phase is Phase.DISCHARGED, "discharged: " + d.general.text())
        self.check("close and sign", "screen-close-sign.png")  # the live ID field among locks
        self.type(d.sign_nurse, "RN7")
        self.click(d.close_button)
        expect(d.dialog.isVisible(), "close and sign asks first")
        self.check("close confirmation")
        self.key(Qt.Key.Key_Return)
        expect(page.recorder.session.phase is Phase.CLOSED, "closed and signed")
        self.check("closed")

        self.click(w.sessions_button)
        expect(w.start_page.isVisible(), "back to the session list")
        self.check("session list")

    def ask_before_ending(self) -> None:
        """Ctrl+Q and "◀ Sessions" while dosing with HIGH alarms: each asks, names what
        stops and what goes on, and Enter (then Escape) keeps monitoring."""
        w, page = self.window, self.page
        self.key(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        question = w.ending
        expect(question is not None and question.isVisible(), "Ctrl+Q asks first")
        expect(w.isVisible() and "STOPS" in question.stops.text(),  # type: ignore[union-attr]
               "the close question names what stops")
        self.check("close question", "screen-close-question.png")
        self.key(Qt.Key.Key_Return)
        expect(w.isVisible() and w.page is page and not question.isVisible(),  # type: ignore[union-attr]
               "Enter keeps monitoring")
        self.click(w.sessions_button)
        question = w.ending
        expect(question is not None and question.isVisible(), "◀ Sessions asks first")
        self.check("leave question", "screen-leave-question.png")
        self.key(Qt.Key.Key_Escape)
        expect(w.page is page and page.isVisible(), "Escape keeps the session")

    def acknowledge_all(self) -> None:
        """Ctrl+K then Enter, row by row, until nothing is waiting."""
        page = self.page
        for _ in range(10):
            if all(a.acknowledged for a in page.recorder.session.active_alarms()):
                return
            self.key(Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
            self.key(Qt.Key.Key_Return)
        expect(False, "every alarm acknowledged with Ctrl+K, Enter")

    def amend_last_vitals(self) -> None:
        page = self.page
        self.open_panel(page.log)
        log = page.log
        vitals = [e for e in page.recorder.session.entry_list
                  if e.kind.value == "vitals_recorded"]
        expect(log.select_seq(vitals[1].seq), "a reading can be selected")
        self.click(log.amend_button)
        form = log.amend_dialog
        expect(form is not None and form.isVisible(), "the amend form opened")
        self.type(form.edits["hr"], "80")  # type: ignore[union-attr]
        self.type(form.reason, "misread the display", enter=True)  # type: ignore[union-attr]
        expect(not form.isVisible(), "amendment saved")  # type: ignore[union-attr]


    def flag_cuff_reading(self) -> None:
        """The 190/115 was a bad cuff reading: flag its BP only (ticked by default), see
        which alarms end, confirm; the real SpO2 89 and HR 135 keep their alarms."""
        page = self.page
        self.open_panel(page.log)
        log = page.log
        reading = max((e for e in page.recorder.session.entry_list
                       if e.kind.value == "vitals_recorded"
                       and e.payload.get("sbp") == 190), key=lambda e: e.observed_at)
        expect(log.select_seq(reading.seq), "the 190/115 reading can be selected")
        self.click(log.artifact_button)
        dialog = log.artifact_dialog
        expect(dialog is not None and dialog.isVisible(), "Flag artifact asks which values")
        assert dialog is not None
        ticked = [k for k, box in dialog.boxes.items() if box.isChecked()]
        expect(set(ticked) <= {"sbp", "dbp", "map"} and "sbp" in ticked,
               f"a cuff reading ticks BP only (ticked: {ticked})")
        self.type(dialog.reason, "cuff slipped during the reading")
        expect("SBP" in dialog.ends.text() and "SpO2" not in dialog.ends.text(),
               "the flag says it ends the BP alarm, not SpO2's")
        self.click(dialog.flag_button)
        expect(dialog.confirm.isVisible(), "the flag asks for a confirmation")
        self.check("artifact choice")
        self.click(dialog.confirm.confirm_button)
        expect(not dialog.isVisible(), "the flag was recorded")
        keys = {a.key for a in page.recorder.session.active_alarms()}
        expect({"spo2", "hr"} <= keys, f"SpO2 and HR alarms stay (active: {sorted(keys)})")
        self.click(page.drawer.close_button)


def x_client_rect(wid: int) -> list[int] | None:
    """The window as the X server has it (xdotool), independent of Qt."""
    if shutil.which("xdotool") is None:
        return None
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(wid)],
                         capture_output=True, text=True, check=False).stdout
    values = dict(line.split("=", 1) for line in out.split() if "=" in line)
    try:
        return [int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")]
    except (KeyError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="walkthrough")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--theme", choices=("dark", "light"), default="dark")
    parser.add_argument("--prefix", default="", help="prefix for the screenshot names")
    parser.add_argument("--only", default="", help="comma-separated screenshot names")
    args = parser.parse_args(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName("ketamine-monitor-walk")
    apply_theme(app, args.theme)
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "walk.db"
    store = Store(db)
    clock = ManualClock(START)
    window = MainWindow(store, clock, load_protocols())
    window.show()
    QTest.qWaitForWindowExposed(window, 5000)
    QTest.qWait(300)  # the window manager frames and places the window
    walk = Walk(app, window, clock, args.shots)
    walk.prefix = args.prefix
    walk.only = {n for n in args.only.split(",") if n}
    code = 1
    try:
        walk.run()
        code = 0
    except WalkFailed as exc:
        walk.results.append({"phase": "failed", "violations": [f"step failed: {exc}"]})
        print(f"walkthrough: step failed: {exc}", file=sys.stderr)
    finally:
        args.out.write_text(json.dumps(walk.results, indent=1))
    window.shutdown()
    window.close()
    store.close()
    tmp.cleanup()
    return code


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
