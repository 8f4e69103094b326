"""The main window: start page or one open session, a problem bar for what
belongs to no field, a one-second tick for the rules' timers, remembered
geometry that always fits the screen, and a close that never loses data.

The window never grows by itself: its maximum is the screen's available area
(less the window frame) and its contents shrink, elide or scroll inside."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import QRect, QSettings, QSize, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.protocols import ProtocolSet
from monitor.clock import Clock
from monitor.errors import MonitorError
from monitor.model.session import Phase
from monitor.record.recorder import Recorder
from monitor.record.service import EventLog, Service
from ui.common import theme
from ui.common.errors import add_problem_handler, one_line
from ui.common.forms import button, label, restyle
from ui.common.texts import plain_times
from ui.devices.capture_service import DeviceCapture
from ui.resume_notice import ResumeNotice
from ui.session.background import Background
from ui.session.ending import Stake, close_stake, leave_stake
from ui.session.ending_dialog import EndingDialog
from ui.session.others_line import KEY as OTHERS_KEY
from ui.session.others_line import OthersLine
from ui.session.session_page import SessionPage
from ui.start.start_page import StartPage

log = logging.getLogger(__name__)
OPEN_KEY = "session/open_id"
# Set when the window was closed on purpose (after the question) with a session open.
CLOSED_WATCHING_KEY = "session/closed_while_monitoring"
GEOMETRY_KEY = "window/geometry"
SCREEN_KEY = "window/screen"  # the available area the geometry was kept on
DEFAULT_SIZE = QSize(1400, 900)
FRAME_GUESS = QSize(8, 40)  # title bar and borders, until the window manager says


class MainWindow(QMainWindow):
    def __init__(self, event_log: EventLog, clock: Clock, protocols: ProtocolSet,
                 parent: QWidget | None = None, *, defer_charts: bool = False) -> None:
        """``event_log`` (opened by the command line) goes to the window's service and is
        never used here: the views are given the service, the session and its
        evaluation."""
        super().__init__(parent)
        self.defer_charts = defer_charts
        self.service = Service(event_log, clock, protocols)
        self.clock = clock
        self.protocols = protocols
        self.page: SessionPage | None = None
        self.demo: Any = None
        self.ending: EndingDialog | None = None  # the question before monitoring ends
        self._end_confirmed = False
        # Sessions left for the list while still watching a patient: still evaluated
        # and sounding (ui/session/background.py).
        self.background = Background()
        self.settings = QSettings()
        # Bedside monitors: the listener lives as long as this window, not its dialog.
        self.devices = DeviceCapture(clock, self)
        self.setWindowTitle("Ketamine session monitor")
        self._setup_ui()
        self._remove_handler = add_problem_handler(self.show_problem)
        self._placed = False
        self._fill = False
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        self.refit_timer = QTimer(self)
        self.refit_timer.setSingleShot(True)
        self.refit_timer.timeout.connect(self.fit_to_screen)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self._on_tick)
        self.tick_timer.start()
        self._resume_after_crash()

    def _setup_ui(self) -> None:
        central = QWidget()
        # An explicit minimum: the window's minimum never follows its contents upwards.
        central.setMinimumSize(320, 240)
        box = QVBoxLayout(central)
        box.setContentsMargins(2, 2, 2, 2)
        box.setSpacing(0)
        self.bar = QWidget()
        bar = QHBoxLayout(self.bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.sessions_button = button("◀ Sessions", "Back to sessions", slot=self.show_start)
        other = "Dark theme" if theme.current().name == "light" else "Light theme"
        self.theme_button = button(other, "Switch theme", slot=self.toggle_theme)
        self.devices_button = button("Devices…", "Bedside monitors", slot=self.show_devices)
        self.device_panel: Any = None
        self.course_button = button("Course", "Show the patient's course of sessions",
                                    slot=self.show_course)
        self.course_button.hide()
        self.course_view: Any = None
        self.notice = label("", name="Notice", fit=True)
        self.resume_notice = ResumeNotice(self.notice, self)
        self.problem = label("", "error", name="Problem", fit=True)
        self.problem.hide()
        self.dismiss = button("Dismiss", "Dismiss problem", slot=self._dismiss_problem)
        self.dismiss.hide()
        # Other watched sessions' unacknowledged alarms, while a session is on screen.
        self.others = OthersLine()
        self.others.switch_requested.connect(self.switch_to)
        self.sessions_button.hide()  # shown while a session is open
        bar.addWidget(self.sessions_button)
        bar.addWidget(self.others)
        bar.addWidget(self.notice, 1)
        bar.addWidget(self.problem, 1)
        bar.addWidget(self.dismiss)
        bar.addWidget(self.devices_button)
        bar.addWidget(self.course_button)
        bar.addWidget(self.theme_button)
        self.bar_items = (self.sessions_button, self.others, self.notice, self.problem,
                          self.dismiss, self.theme_button)
        # With a session open these two stand in the side strip, under the panels.
        self.strip_items = (self.devices_button, self.course_button)
        box.addWidget(self.bar)
        # What checking the open session's record found (chain, seals, registry).
        self.record_check = label("", "dim", name="Record check")
        self.record_check.setWordWrap(True)
        self.record_check.hide()
        box.addWidget(self.record_check)
        self.stack = QStackedWidget()
        self._start_page: StartPage | None = None
        box.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.others_key = QShortcut(QKeySequence(OTHERS_KEY), self)
        self.others_key.activated.connect(self.others.open.click)
        # The start page is built when first needed: not before a resumed session paints.
        QTimer.singleShot(0, self, self._show_start_if_idle)

    @property
    def start_page(self) -> StartPage:
        if self._start_page is None:
            self._start_page = StartPage(self.service)
            self._start_page.reuse = self.background.take  # never a second recorder
            self._start_page.session_opened.connect(self.open_session)
            self.stack.addWidget(self._start_page)
        return self._start_page

    def _show_start_if_idle(self) -> None:
        if self.page is None:
            self.stack.setCurrentWidget(self.start_page)
            self.start_page.focus_first()

    # -- sessions ------------------------------------------------------------
    def _resume_after_crash(self) -> None:
        sid = self.settings.value(OPEN_KEY)
        if not sid or not self.service.has_session(str(sid)):
            return
        try:
            rec = self.service.resume(str(sid))
        except MonitorError as exc:
            self.show_problem(f"Could not resume session {sid}: {exc}")
            return
        page = self.open_session(rec)
        why = ("Reopened (it was open when the monitor was closed)"
               if self.settings.value(CLOSED_WATCHING_KEY) else "Resumed after an unexpected stop")
        self.settings.remove(CLOSED_WATCHING_KEY)
        patient = rec.session.opening.get("patient_id", "the patient")
        # Short, one sentence per fact: the top bar is narrow at 1280×800.
        self.resume_notice.show(f"{why}: {patient}'s session, {rec.session.phase}, "
                                f"{len(rec.session.events)} entries. Nothing recorded was lost.",
                                page.bridge, visible=self.problem.isHidden())
        log.warning("resumed session %s (%s)", sid, why)

    def open_session(self, recorder: Recorder, *, defer: bool | None = None) -> SessionPage:
        self._close_page()
        self.background.take(recorder.session.session_id)  # its page sounds from now on
        self.page = SessionPage(recorder, self.service,
                                defer=self.defer_charts if defer is None else defer)
        # The window's own row (sessions, notices, theme) joins the banner's top row:
        # one row less above the charts.
        self.page.banner.host(self.bar_items)
        for w in self.strip_items:
            self.page.drawer.add_extra(w)
        self.sessions_button.show()
        self.bar.hide()
        self.stack.addWidget(self.page)
        self.stack.setCurrentWidget(self.page)
        self.settings.setValue(OPEN_KEY, recorder.session.session_id)
        self.settings.sync()
        self.resume_notice.clear()  # an empty notice takes no room from what is due
        self.record_check.hide()
        self.page.vitals.focus_first()
        # A monitor bound to the session this one replaces is unbound; the same
        # session shown again (a theme switch) keeps it.
        self.devices.set_recorder(recorder)
        if self.device_panel is not None:
            self.device_panel.refresh()
        # Checked right after the page is shown, so the session paints first.
        QTimer.singleShot(0, self, partial(self._check_record, recorder))
        self.course_button.show()
        self._show_others()
        # The course view (and its plots) only after the session's first paint.
        if self.page.charts is None:
            self.page.completed.connect(self._offer_course)
        else:
            self._offer_course()
        return self.page

    def _check_record(self, recorder: Recorder) -> None:
        if self.page is None or self.page.recorder is not recorder:
            return
        try:
            verdict = self.service.check(recorder.session.session_id)
        except MonitorError as exc:
            restyle(self.record_check, "role", "error")
            self.record_check.setText(f"⚠ The record could not be checked: {exc}")
            self.record_check.show()
            return
        if not verdict.ok:
            restyle(self.record_check, "role", "error")
            self.record_check.setText(
                f"⚠ TAMPERED OR DAMAGED RECORD: {verdict.text()}. Do not rely on this "
                "record; run `ketamine-monitor verify` and tell the person responsible.")
            self.record_check.show()
        elif verdict.unchecked or verdict.notes:  # NOT VERIFIED: seals not checked
            self.record_check.setText("Record check: " + verdict.text())
            restyle(self.record_check, "role", "error" if verdict.unchecked else "dim")
            self.record_check.show()

    def _offer_course(self) -> None:
        """Show the course view by itself only before dosing, when this patient has
        earlier sessions (once dosing began: only when the nurse asks)."""
        page = self.page
        if (page is not None and page.recorder.session.phase is Phase.BASELINE
                and self.service.count_earlier(page.recorder.session)):
            self.show_course()

    def show_course(self) -> Any:
        """The patient's course of sessions, in the charts' place inside the window."""
        from ui.course.course_view import CourseView  # on request: pyqtgraph, ~175 ms
        if self.page is None:
            return None
        if self.course_view is not None:
            self.course_view.close()
            self.course_view.deleteLater()
        self.course_view = CourseView(self.page.recorder, self.service, self.page.nurse_id,
                                      folder=self.page.export_folder)
        self.page.bridge.recorded.connect(self.course_view.on_recorded)
        self.course_view.closed.connect(self.page.hide_aside)
        self.page.show_aside(self.course_view)
        return self.course_view

    def _close_page(self) -> None:
        if self.course_view is not None:
            self.course_view.close()
            self.course_view = None  # a child of the page: goes with it
        self.course_button.hide()
        self.resume_notice.clear()  # it spoke of this page's session as it was then
        if self.page is not None:
            row = self.bar.layout()
            assert isinstance(row, QBoxLayout)
            for i, w in enumerate(self.bar_items):
                row.insertWidget(i, w)  # back from the banner
            for w in self.strip_items:  # and from the side strip
                row.insertWidget(row.indexOf(self.theme_button), w)
            self.bar.show()
            self.sessions_button.hide()  # already at the session list
            self.others.show_left([])    # the list shows every session
            self.page.shutdown()
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None

    def show_start(self) -> None:
        """Back to the session list: asks first while the session still watches a patient."""
        if self.page is not None:
            stake = leave_stake(self.page.recorder, self._bound_devices())
            if stake is not None:
                self._ask_ending(stake, self._leave)
                return
        if self.page is not None and self.page.is_half_typed() and not self._confirm_discard():
            return
        self._leave()

    def switch_to(self, session_id: str) -> None:
        """Open a session watched in the background (from the line of other alarms),
        asking first, as leaving does, while the session shown still watches a patient."""
        watched = self.background.watched.get(session_id)
        if watched is None:
            return
        if self.page is not None:
            patient = str(watched.recorder.session.opening.get("patient_id", session_id))
            stake = leave_stake(self.page.recorder, self._bound_devices(), to=patient)
            if stake is not None:
                self._ask_ending(stake, partial(self._switch, session_id))
                return
            if self.page.is_half_typed() and not self._confirm_discard():
                return
        self._switch(session_id)

    def _switch(self, session_id: str) -> None:
        watched = self.background.watched.get(session_id)
        if watched is None:  # opened or gone while the question was open
            return
        self._leave()  # the session shown goes on being watched if it still matters
        self.open_session(watched.recorder)

    def _show_others(self) -> None:
        self.others.show_left(self.background.alarming() if self.page is not None else [])

    def _leave(self) -> None:
        page = self.page
        if page is not None and leave_stake(page.recorder) is not None:
            self.background.keep(page.recorder)  # its alarms go on being checked and sounded
        self._close_page()
        self.devices.set_recorder(None)  # the question said: the bound monitor is unbound
        if self.device_panel is not None:
            self.device_panel.refresh()
        self.settings.remove(OPEN_KEY)
        self.start_page.refresh(self.background.summary())
        self.stack.setCurrentWidget(self.start_page)
        self.start_page.focus_first()

    def _on_tick(self) -> None:
        if self.background.watched:
            self.background.tick()
            for problem in self.background.problems:
                self.show_problem(problem)
            self.background.problems.clear()
            if self.page is None and self._start_page is not None:
                self.start_page.show_alarms(self.background.summary())
        self._show_others()
        if self.page is not None:
            try:
                self.page.tick()
            except MonitorError as exc:
                self.show_problem(str(exc))
        self._keep_link()

    def _keep_link(self) -> None:
        """The clinic server's link, kept with or without a session shown; after the
        rules' tick, so a failing link never holds up a countdown or an alarm."""
        try:
            text = self.service.tick()
        except MonitorError as exc:
            self.show_problem(str(exc))
            return
        if self.page is not None:
            self.page.header.show_link(text)

    # -- problems and theme ----------------------------------------------------
    def show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {plain_times(one_line(text))}")
        self.problem.show()
        self.dismiss.show()
        self.notice.hide()

    def _dismiss_problem(self) -> None:
        self.problem.hide()
        self.dismiss.hide()
        self.notice.setVisible(bool(self.notice.text()))

    def toggle_theme(self) -> None:
        if self.page is not None and self.page.is_half_typed() and not self._confirm_discard():
            return
        new = "light" if theme.current().name == "dark" else "dark"
        theme.apply_theme(QApplication.instance(), new)  # type: ignore[arg-type]
        self.theme_button.setText("Dark theme" if new == "light" else "Light theme")
        if self.page is not None:
            rec = self.page.recorder
            self.open_session(rec)

    # -- demo ----------------------------------------------------------------
    def start_demo(self, options: dict[str, Any]) -> None:
        # The demo's modules (~40 ms with its HL7 feed) load for the demo alone.
        from monitor.app.simulator import DEMO_OPENING, DemoScript
        from ui.demo_driver import DemoDriver, SimClock
        clock = SimClock(self.clock.now(), float(options.get("speed", 60)))
        self.clock = self.service.clock = self.devices.clock = clock
        rec = self.service.open_new(dict(DEMO_OPENING))
        feed = None
        if options.get("device") == "hl7":   # a simulated monitor over MLLP on 127.0.0.1
            from monitor.devices.demo_feed import Hl7Feed
            feed = Hl7Feed(clock)
        script = DemoScript(int(options.get("seed", 1)), minutes=options.get("minutes"),
                            device_rate=float(options.get("device_rate", 0)), device_feed=feed)
        self.open_session(rec)
        self.demo = DemoDriver(rec, script, clock, self)
        self.demo.start()

    # -- closing -------------------------------------------------------------
    def _bound_devices(self) -> int:
        return len(self.devices.bound_devices()) if self.page is not None else 0

    def _ask_ending(self, stake: Stake, action: Any) -> None:
        """One question at a time, without blocking: the alarms keep repainting."""
        if self.ending is not None and self.ending.isVisible():
            self.ending.raise_()
            return
        if self.ending is not None:
            self.ending.deleteLater()
        if self.page is not None and self.page.is_half_typed():
            stake = replace(stake, stops=stake.stops + " The half-typed entry is discarded.")
        self.ending = EndingDialog(stake, action, self)
        self.ending.ask(below=self.page.banner if self.page is not None else None)

    def _close_confirmed(self) -> None:
        self._end_confirmed = True
        if not self.close():
            self._end_confirmed = False

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Unsaved entry",
            "An entry is half-typed and not saved. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    # -- fitting the screen ------------------------------------------------------
    def available(self) -> QRect:
        """The screen's area less panels and taskbars (from the window manager)."""
        return self.screen().availableGeometry()

    def _frame_extra(self) -> QSize:
        extra = self.frameGeometry().size() - self.geometry().size()
        return extra if extra.height() > 0 else FRAME_GUESS

    def fit_to_screen(self) -> None:
        """Cap the window at the available area (frame included) and pull it inside."""
        avail = self.available()
        cap = avail.size() - self._frame_extra()
        self.setMaximumSize(cap)
        if self.isMaximized() or self.isFullScreen():
            return
        if self._fill and self.frameGeometry().size() != self.geometry().size():
            self._fill = False  # the real frame is known now: fill the screen once
            self.resize(DEFAULT_SIZE.boundedTo(cap))
        size = self.size().boundedTo(cap)
        if size != self.size():
            self.resize(size)
        frame = self.frameGeometry()
        x = min(max(frame.x(), avail.x()), avail.right() + 1 - frame.width())
        y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, avail.x()), max(y, avail.y()))

    def _add_quit_key(self) -> None:
        """Ctrl+Q closes the window the one way (asking first while monitoring)."""
        if getattr(self, "quit_key", None) is None:
            self.quit_key = QShortcut(QKeySequence("Ctrl+Q"), self)
            self.quit_key.activated.connect(self.close)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._placed:
            return
        self._placed = True
        # First start, or a screen of another size than the one the geometry was kept
        # on (a window kept at 1366×768 used 730 of 770 px at 1280×800): fill it.
        self._fill = (self.settings.value(GEOMETRY_KEY) is None
                      or self.settings.value(SCREEN_KEY) != _screen_text(self.available()))
        if self._fill:
            # As large as the screen allows, frame and taskbar included.
            avail = self.available()
            self.resize(DEFAULT_SIZE.boundedTo(avail.size() - self._frame_extra()))
            self.move(avail.topLeft())
        self.fit_to_screen()
        # Once the window manager has framed the window, its real frame is known.
        QTimer.singleShot(0, self, self.fit_to_screen)
        QTimer.singleShot(0, self, self._add_quit_key)
        self.refit_timer.start(250)  # a timer of this window: stopped when it shuts down

    def closeEvent(self, event: QCloseEvent) -> None:
        open_now = [] if self.page is None else [self.page.recorder]
        stake = close_stake(open_now + self.background.recorders(), self._bound_devices(),
                            resumes=bool(open_now))
        if stake is not None and not self._end_confirmed:
            event.ignore()  # asked first; the answer closes again (or keeps monitoring)
            self._ask_ending(stake, self._close_confirmed)
            return
        if (stake is None and self.page is not None and self.page.is_half_typed()
                and not self._confirm_discard()):
            event.ignore()
            return
        if self.available().contains(self.frameGeometry()) or self.isMaximized():
            self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
            self.settings.setValue(SCREEN_KEY, _screen_text(self.available()))
        else:
            self.settings.remove(GEOMETRY_KEY)  # never remember a window larger than the screen
        if self.page is not None and close_stake(open_now) is not None:
            # Still watching this patient: the session opens again at the next start.
            self.settings.setValue(CLOSED_WATCHING_KEY, True)
        else:
            self.settings.remove(OPEN_KEY)
        self.settings.sync()
        self.shutdown()
        event.accept()

    def show_devices(self) -> None:
        if self.device_panel is None:
            from ui.devices.device_panel import DevicePanel  # when first opened: ~30 ms
            self.device_panel = DevicePanel(self.devices, self)
        self.device_panel.show_below(self.page.banner if self.page is not None else None)

    def shutdown(self) -> None:
        if self.ending is not None:
            self.ending.close()
        self.background.stop()
        self.others.stop()
        self.tick_timer.stop()
        self.refit_timer.stop()
        if self.device_panel is not None:
            self.device_panel.shutdown()
        self.devices.stop()  # the listener's thread ends and its port is free
        if self.demo is not None:
            self.demo.stop()
        self._close_page()
        self._remove_handler()


def _screen_text(area: QRect) -> str:
    return f"{area.width()}x{area.height()}"
