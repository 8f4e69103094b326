"""The alarm banner: above everything, highest priority first. High flashes at
about 2 Hz, medium at about 0.5 Hz, low is steady; every alarm carries a word
and a symbol as well as its colour. Acknowledge (nurse, action from the list,
comment) and a 2-minute audio pause with its countdown live here."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from monitor.recorder import ACK_ACTIONS
from monitor.rules.engine import Evaluation
from monitor.session import AlarmState
from ui import theme
from ui.forms import InlineErrors, RecorderPanel, button, error_label, label, line_edit
from ui.sound_panel import SoundPanel

MAX_ROWS = 3


def elapsed(now: datetime, then: datetime) -> str:
    s = int((now - then).total_seconds())
    return f"{s // 60} min" if s >= 60 else f"{s} s"


class AlarmRow(QFrame):
    acknowledge_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alarm_id = 0
        self.priority = "low"
        self.flashing = False
        self.lit = True
        self.tag = label("", pt=18, bold=True, name="Alarm priority")
        self.text = label("", pt=18, bold=True, name="Alarm message")
        self.detail = label("", name="Alarm detail")
        self.ack = button("Acknowledge", "Acknowledge alarm",
                          slot=lambda: self.acknowledge_requested.emit(self.alarm_id))
        box = QHBoxLayout(self)
        box.setContentsMargins(10, 4, 10, 4)
        box.addWidget(self.tag)
        box.addWidget(self.text, 1)
        box.addWidget(self.detail)
        box.addWidget(self.ack)

    def show_alarm(self, alarm: AlarmState, message: str, now: datetime,
                   condition_present: bool) -> None:
        self.alarm_id = alarm.alarm_id
        self.priority = alarm.priority
        self.tag.setText(f"{theme.PRIORITY_SYMBOL[alarm.priority]} "
                         f"{theme.PRIORITY_WORD[alarm.priority]}")
        self.text.setText(message)
        state = []
        if alarm.acknowledged:
            state.append(f"acknowledged by {alarm.acknowledged_by}")
        if not condition_present:
            state.append("LATCHED: value back in range, acknowledge to clear")
        state.append(f"{elapsed(now, alarm.raised_at)} ago")
        self.detail.setText(" · ".join(state))
        self.ack.setVisible(not alarm.acknowledged)
        self.flashing = alarm.priority in theme.FLASH_HALF_PERIOD_MS and not alarm.acknowledged
        self.paint(True)

    def paint(self, lit: bool) -> None:
        self.lit = lit
        bg = theme.PRIORITY_COLOR[self.priority] if lit else theme.current().panel
        fg = theme.PRIORITY_TEXT[self.priority] if lit else theme.PRIORITY_COLOR[self.priority]
        border = theme.PRIORITY_COLOR[self.priority]
        self.setStyleSheet(f"AlarmRow {{ background: {bg}; border: 3px solid {border}; }}"
                           f" QLabel {{ color: {fg}; }}")


class AlarmBanner(RecorderPanel):

    def _setup_ui(self) -> None:
        self.sound = SoundPanel(self.recorder, self._nurse)
        self.calm = label("✓ No active alarms", "dim", pt=13, name="Alarm status")
        self.rows = [AlarmRow(self) for _ in range(MAX_ROWS)]
        for row in self.rows:
            row.acknowledge_requested.connect(self._on_acknowledge_requested)
            row.hide()
        self.more = label("", bold=True, name="More alarms")
        self.ack_panel = QFrame()
        self.ack_for = label("", bold=True)
        self.action = QComboBox()
        self.action.addItems(ACK_ACTIONS)
        self.action.setAccessibleName("Action taken")
        self.comment = line_edit("Acknowledge comment", "comment (optional)")
        self.comment.returnPressed.connect(self.confirm_ack)
        self.ack_confirm = button("Confirm acknowledge", primary=True, slot=self.confirm_ack)
        self.ack_cancel = button("Cancel", "Cancel acknowledge", slot=self._hide_ack)
        self.ack_error = error_label("Acknowledge error")
        self.errors = InlineErrors(self.ack_error, {})
        self.pause = button("Pause audio 2:00", "Pause audio", slot=self.pause_audio)
        self.pending_id: int | None = None
        self.flash_timers: dict[str, QTimer] = {}
        for priority, half in theme.FLASH_HALF_PERIOD_MS.items():
            timer = QTimer(self)
            timer.setInterval(half)
            timer.timeout.connect(lambda p=priority: self._on_flash(p))
            self.flash_timers[priority] = timer

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.calm, 1)
        top.addWidget(self.more)
        top.addWidget(self.pause)
        top.addWidget(self.sound)
        box.addLayout(top)
        for row in self.rows:
            box.addWidget(row)
        ack = QHBoxLayout(self.ack_panel)
        ack.setContentsMargins(10, 2, 10, 2)
        for w in (self.ack_for, self.action, self.comment, self.ack_confirm, self.ack_cancel):
            ack.addWidget(w)
        box.addWidget(self.ack_panel)
        box.addWidget(self.ack_error)
        box.addWidget(self.sound.form)
        self.ack_panel.hide()

    # -- showing -------------------------------------------------------------
    def refresh(self, ev: Evaluation) -> None:
        s = self.recorder.session
        alarms = s.active_alarms()
        unacked_first = sorted(alarms, key=lambda a: (a.acknowledged, -a.rank))
        for row, alarm in zip(self.rows, unacked_first, strict=False):
            row.show_alarm(alarm, ev.live_message(alarm.key, alarm.message), ev.now,
                           alarm.key in ev.conditions)
            row.show()
        for row in self.rows[len(alarms):]:
            row.hide()
        extra = len(alarms) - len(self.rows)
        self.more.setText(f"+{extra} more (Alarms tab)" if extra > 0 else "")
        self.calm.setText("✓ No active alarms" if not alarms else
                          f"{len(alarms)} active alarm{'s' if len(alarms) > 1 else ''}")
        pause = s.audio_pause
        if pause is not None and ev.now < pause.until:
            left = int((pause.until - ev.now).total_seconds())
            self.pause.setText(f"Audio paused {left // 60}:{left % 60:02d}")
            self.pause.setEnabled(False)
        else:
            self.pause.setText("Pause audio 2:00")
            self.pause.setEnabled(bool(alarms))
        self._run_flash({r.priority for r in self.rows if r.isVisible() and r.flashing})
        self.sound.refresh(ev.now)
        if self.pending_id is not None and self.pending_id not in {a.alarm_id for a in alarms
                                                                   if not a.acknowledged}:
            self._hide_ack()

    def _run_flash(self, wanted: set[str]) -> None:
        for priority, timer in self.flash_timers.items():
            if priority in wanted and not timer.isActive():
                timer.start()
            elif priority not in wanted and timer.isActive():
                timer.stop()

    def _on_flash(self, priority: str) -> None:
        for row in self.rows:
            if row.isVisible() and row.flashing and row.priority == priority:
                row.paint(not row.lit)

    def stop(self) -> None:
        self._run_flash(set())
        self.sound.stop()

    # -- acting --------------------------------------------------------------
    def _on_acknowledge_requested(self, alarm_id: int) -> None:
        self.pending_id = alarm_id
        alarm = self.recorder.session.alarms[alarm_id]
        self.ack_for.setText(f"Acknowledge “{alarm.message}” — action:")
        self.ack_panel.show()
        self.action.setFocus()

    def acknowledge_top(self) -> None:
        unacked = [a for a in self.recorder.session.active_alarms() if not a.acknowledged]
        if unacked:
            self._on_acknowledge_requested(unacked[0].alarm_id)

    def confirm_ack(self) -> bool:
        if self.pending_id is None:
            return False
        alarm_id = self.pending_id
        done = self.errors.call(lambda: self.recorder.acknowledge(
            self._nurse(), alarm_id, self.action.currentText(), self.comment.text()))
        if done is None:
            return False
        self._hide_ack()
        return True

    def _hide_ack(self) -> None:
        self.pending_id = None
        self.comment.clear()
        self.ack_panel.hide()

    def pause_audio(self) -> None:
        self.errors.call(lambda: self.recorder.pause_audio(self._nurse()))

    def visible_messages(self) -> list[str]:
        return [f"{r.tag.text()} {r.text.text()}" for r in self.rows if r.isVisible()]



