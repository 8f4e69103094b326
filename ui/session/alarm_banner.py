"""The alarm banner: above everything, one row per parameter (its highest
priority reason large, the others listed under it), at most two rows, then
"+N more". High flashes at about 2 Hz, medium at about 0.5 Hz, low is steady;
every alarm carries a word and a symbol as well as its colour; acknowledged
rows are outlined and steady. Acknowledge a row (every alarm in it) with an
action from the list: Ctrl+K then Enter. The 2-minute audio pause with its
countdown lives here too."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.latched import BACK_IN_RANGE, latched_text
from monitor.clinical.rules.condition import ALSO
from monitor.clinical.rules.engine import Evaluation, reason_time
from monitor.model.session import PRIORITY_RANK, AlarmState, Priority, Session
from monitor.model.vocabulary import ACK_ACTIONS, ACK_DEFAULT
from ui.common import theme
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, label, line_edit
from ui.sound.sound_panel import SoundPanel

MAX_ROWS = 2
COMMENT_MIN = 220  # the acknowledge comment's least width: its words are read back


def elapsed(now: datetime, then: datetime) -> str:
    s = int((now - then).total_seconds())
    return f"{s // 60} min" if s >= 60 else f"{s} s"


def group_by_parameter(alarms: list[AlarmState]) -> list[list[AlarmState]]:
    """One group per parameter, its alarms highest priority first; groups with an
    unacknowledged alarm first (what sounds can be acknowledged from its row), then by
    their highest priority, then the newest announcement first (a new HIGH takes the
    top row). A HIGH row, even acknowledged, is never pushed out of the rows shown by
    mediums: it takes the last row shown."""
    groups: dict[str, list[AlarmState]] = {}
    for a in alarms:
        groups.setdefault(a.parameter or a.key, []).append(a)
    for g in groups.values():
        g.sort(key=lambda a: (a.acknowledged, -a.rank, a.raised_at))
    ordered = sorted(groups.values(), key=lambda g: (
        all(a.acknowledged for a in g), -max(a.rank for a in g),
        -max(_announced(a) for a in g)))
    shown, rest = ordered[:MAX_ROWS], ordered[MAX_ROWS:]
    top = max(PRIORITY_RANK.values())
    if rest and not any(a.rank == top for g in shown for a in g):
        high = next((g for g in rest if any(a.rank == top for a in g)), None)
        if high is not None:
            rest.remove(high)
            rest.insert(0, shown.pop())
            shown.append(high)
    return shown + rest


def _announced(a: AlarmState) -> float:
    return (a.raised_at if a.escalated_at is None else a.escalated_at).timestamp()


def alarm_style(selector: str, priority: Priority, *, lit: bool, acknowledged: bool) -> str:
    """The style of an alarm's frame: filled in its priority's colour (``lit``; the
    other half of a flash is outlined), or outlined and dashed when acknowledged."""
    color = theme.PRIORITY_COLOR[priority]
    if acknowledged:  # outlined and steady: seen, still there
        return (f"{selector} {{ background: {theme.current().panel}; "
                f"border: 2px dashed {color}; }} QLabel {{ color: "
                f"{theme.alarm_text(priority)}; }}")
    bg = color if lit else theme.current().panel
    fg = theme.PRIORITY_TEXT[priority] if lit else theme.alarm_text(priority)
    return (f"{selector} {{ background: {bg}; border: 3px solid {color}; }}"
            f" QLabel {{ color: {fg}; }}")


class AlarmRow(QFrame):
    """One parameter: its highest-priority reason large, the others listed under it.
    Acknowledged rows are outlined, steady and say who acknowledged them when."""

    acknowledge_requested = Signal(object)  # list of alarm ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alarm_ids: list[int] = []
        self._pending: list[int] = []
        self.priority = Priority.LOW
        self.flashing = False
        self.acknowledged = False
        self.lit = True
        self.tag = label("", pt=15, bold=True, name="Alarm priority")
        self.text = label("", pt=15, bold=True, name="Alarm message", fit=True)
        self.others = label("", name="Other alarms of this parameter", fit=True)
        self.detail = label("", name="Alarm detail", fit=True)
        self.ack = button("Acknowledge", "Acknowledge alarm",
                          slot=lambda: self.acknowledge_requested.emit(self.pending_ids()))
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 0, 8, 0)
        box.addWidget(self.tag)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.text)
        texts.addWidget(self.others)
        box.addLayout(texts, 1)
        box.addWidget(self.detail)
        box.addWidget(self.ack)

    @property
    def alarm_id(self) -> int:
        return self.alarm_ids[0] if self.alarm_ids else 0

    def pending_ids(self) -> list[int]:
        return list(self._pending)

    def show_group(self, group: list[AlarmState], messages: list[str], now: datetime,
                   present: list[bool], shortcut: str = "", *,
                   session: Session | None = None,
                   reading_at: datetime | None = None) -> None:
        top = group[0]
        self.alarm_ids = [a.alarm_id for a in group]
        self._pending = [a.alarm_id for a in group if not a.acknowledged]
        self.acknowledged = not self._pending
        self.priority = max(group, key=lambda a: a.rank).priority
        self.tag.setText(f"{theme.PRIORITY_SYMBOL[self.priority]} "
                         f"{theme.PRIORITY_WORD[self.priority]}")
        # The core names a parameter's other reasons in its alarm: "SBP 186 ≥ 180 (also: …)".
        first, _, also = messages[0].partition(ALSO)
        self.text.setText(first)
        others = [r for r in also.removesuffix(")").split("; ") if r] if also else []
        others += [f"{m} ({theme.PRIORITY_WORD[a.priority].lower()})"
                   for a, m in zip(group[1:], messages[1:], strict=True)]
        self.others.setText("also: " + "; ".join(others) if others else "")
        self.others.setVisible(bool(others))
        state = []
        if self.acknowledged:
            last = max(group, key=lambda a: a.acknowledged_at)  # type: ignore[arg-type,return-value]
            state.append(f"ack'd by {last.acknowledged_by} "
                         f"{last.acknowledged_at.astimezone():%H:%M}")  # type: ignore[union-attr]
        if not present[0]:
            state.append(BACK_IN_RANGE if session is None else latched_text(session, top))
        # The age of the reading behind the reason shown, not of the row.
        state.append(f"reading {elapsed(now, reading_at or top.raised_at)} ago")
        self.detail.setText(" · ".join(state))
        self.ack.setVisible(not self.acknowledged)
        self.ack.setText(f"Acknowledge  {shortcut}".strip())
        self.flashing = self.priority in theme.FLASH_HALF_PERIOD_MS and not self.acknowledged
        self.paint(True)

    def paint(self, lit: bool) -> None:
        self.lit = lit
        self.setStyleSheet(alarm_style("AlarmRow", self.priority, lit=lit,
                                       acknowledged=self.acknowledged))


class RowsRoom(QWidget):
    """The rows' place, always as tall as the banner at its maximum (MAX_ROWS rows,
    each with its "also:" line): alarms coming and going move nothing below the banner.
    An unseen row with every line filled gives the height, in the current style."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.probe = AlarmRow(self)
        for lab in (self.probe.tag, self.probe.text, self.probe.detail):
            lab.setText("X")
        self.probe.others.setText("also: X")
        self.probe.paint(True)
        self.probe.hide()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)

    def full_height(self) -> int:
        """Two rows' height; the acknowledge form, in a row's place, may be taller."""
        self.probe.ensurePolished()
        row = self.probe.sizeHint().height()
        forms = [w.sizeHint().height() for w in self.findChildren(AckPanel)]
        return (MAX_ROWS - 1) * row + max([row, *forms]) + (MAX_ROWS - 1) * self.box.spacing()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.full_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self.full_height())


class AckPanel(QFrame):
    """The acknowledge step: Enter anywhere in it confirms."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # on a key press, not before the first paint (~18 ms)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)


class AlarmBanner(RecorderPanel):
    more_requested = Signal()
    typing_returns = Signal()  # the acknowledge form closed with nowhere to give focus back

    def _setup_ui(self) -> None:
        self.sound = SoundPanel(self.recorder, self._nurse)
        self.calm = label("✓ No active alarms", "dim", pt=13, name="Alarm status")
        self.room = RowsRoom(self)
        self.rows = [AlarmRow(self.room) for _ in range(MAX_ROWS)]
        for row in self.rows:
            row.acknowledge_requested.connect(self._on_acknowledge_requested)
            row.hide()
        self.more = button("", "More alarms", slot=self.more_requested.emit)
        self.more.hide()
        self.ack_panel = AckPanel()
        self.ack_panel.setStyleSheet("AckPanel { border: 3px solid #56B4E9; }")
        self.ack_panel.enter_pressed.connect(self.confirm_ack)
        self.ack_for = label("", bold=True, fit=True)
        self.action = QComboBox()
        self.action.addItems(ACK_ACTIONS)
        self.action.setAccessibleName("Action taken")
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.comment = line_edit("Acknowledge comment", "comment (optional)")
        self.comment.setMinimumWidth(COMMENT_MIN)
        self.comment.returnPressed.connect(self.confirm_ack)
        self.ack_confirm = button("Confirm acknowledge", primary=True, slot=self.confirm_ack)
        self.ack_cancel = button("Cancel", "Cancel acknowledge", slot=self._hide_ack)
        self.ack_error = error_label("Acknowledge error")
        self.errors = InlineErrors(self.ack_error, {})
        self.pause = button("Pause audio 2:00", "Pause audio", slot=self.pause_audio)
        self.pending_ids: list[int] = []
        self._ack_row: AlarmRow | None = None
        self._focus_before: QWidget | None = None
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
        self.top = top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.more)
        top.addWidget(self.pause)
        top.addWidget(self.sound)
        box.addLayout(top)
        # The rows' room is kept while no alarm is active: the calm word stands in it.
        self.room.box.addWidget(self.calm, 100)  # the kept room: the calm word, centred
        for row in self.rows:
            self.room.box.addWidget(row)
        self.room.box.addWidget(self.ack_panel)
        self.room.box.addStretch(1)
        box.addWidget(self.room)
        # Two lines, in a row's place: what is acknowledged, then the action, the comment
        # and the buttons (one line cut the comment field to "c…" beside a long alarm).
        ack = QVBoxLayout(self.ack_panel)
        ack.setContentsMargins(8, 0, 8, 0)
        ack.setSpacing(0)
        ack.addWidget(self.ack_for)
        controls = QHBoxLayout()
        controls.addWidget(label("Action:"))
        controls.addWidget(self.action)
        controls.addWidget(self.comment, 1)
        for part in (self.ack_confirm, self.ack_cancel, self.ack_error):
            controls.addWidget(part)
        ack.addLayout(controls)
        # Compact controls: the form is no taller than the row it stands in for.
        for control in (self.action, self.comment, self.ack_confirm, self.ack_cancel):
            control.setStyleSheet("padding: 0 6px; min-height: 20px;")
        self.ack_error.setWordWrap(False)
        box.addWidget(self.sound.form)
        self.ack_panel.hide()

    def host(self, items: tuple[QWidget, ...]) -> None:
        """Take the window's row items (sessions button, notices, theme button) into
        the top row: the first on the left, the last on the right."""
        first, *middle, last = items
        self.top.insertWidget(0, first)
        at = self.top.indexOf(self.more)
        for i, w in enumerate(middle):
            # Notices take only the room their words need: what is due keeps the rest.
            self.top.insertWidget(at + i, w, 0)
        self.top.addWidget(last)

    # -- showing -------------------------------------------------------------
    def refresh(self, ev: Evaluation) -> None:
        s = self.recorder.session
        alarms = s.active_alarms()
        self.groups = group_by_parameter(alarms)
        first_unacked = True
        for row, group in zip(self.rows, self.groups, strict=False):
            pending = any(not a.acknowledged for a in group)
            row.show_group(group, [ev.alarm_text(a) for a in group], ev.now,
                           [a.key in ev.conditions for a in group],
                           "Ctrl+K" if pending and first_unacked else "", session=s,
                           reading_at=reason_time(s, ev, group[0]))
            first_unacked = first_unacked and not pending
            row.setVisible(row is not self._ack_row)
        for row in self.rows[len(self.groups):]:
            row.alarm_ids = []
            row.hide()
        extra = self.groups[len(self.rows):]
        n_extra = sum(len(g) for g in extra)
        self.more.setText(f"+{n_extra} more" if extra else "")
        self.more.setToolTip("; ".join(a.message for g in extra for a in g))
        self.more.setVisible(bool(extra))
        self.calm.setText("✓ No active alarms" if not alarms else
                          f"{len(alarms)} alarm{'s' if len(alarms) > 1 else ''}")
        # The rows (and "+N more") say the alarms: their room goes to what is due next.
        self.calm.setVisible(not alarms)
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
        unacked = {a.alarm_id for a in alarms if not a.acknowledged}
        if self.pending_ids and not unacked.intersection(self.pending_ids):
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
    def _on_acknowledge_requested(self, alarm_ids: list[int]) -> None:
        alarms = [self.recorder.session.alarms[i] for i in alarm_ids]
        if not alarms:
            return
        self.pending_ids = list(alarm_ids)
        before = QApplication.focusWidget()
        if before is not None and not self.isAncestorOf(before):
            self._focus_before = before  # given back when the form closes
        # The words of the row it replaces (the banner and the history say the same).
        # The row's large line; its other reasons counted (the row lists them).
        first, _, also = self.recorder.last_evaluation.alarm_text(alarms[0]).partition(
            " (also: ")
        reasons = len([r for r in also.removesuffix(")").split("; ") if r])
        what = f"Acknowledge “{first}”" + (
            f" (+{reasons} reason{'s' if reasons > 1 else ''})" if reasons else "") + (
            f" and {len(alarms) - 1} more" if len(alarms) > 1 else "")
        self.ack_for.setText(what)
        # The form takes the row's place, so nothing below moves.
        row = next((r for r in self.rows if alarm_ids[0] in r.alarm_ids), None)
        if self._ack_row is not None:
            self._ack_row.show()
        self._ack_row = row
        if row is not None:
            box = self.room.box
            box.insertWidget(box.indexOf(row), self.ack_panel)
            row.hide()
        # The action is chosen each time: the last one chosen is never offered again.
        self.action.setCurrentText(ACK_DEFAULT)
        self.comment.clear()
        self.ack_panel.show()
        self.action.setFocus()

    def acknowledge_top(self) -> None:
        """Ctrl+K: the first row with an unacknowledged alarm (then Enter confirms)."""
        for group in getattr(self, "groups", []):
            pending = [a.alarm_id for a in group if not a.acknowledged]
            if pending:
                self._on_acknowledge_requested(pending)
                return

    def confirm_ack(self) -> bool:
        """Acknowledge every alarm of the row, with the one action and comment."""
        if not self.pending_ids:
            return False
        for alarm_id in list(self.pending_ids):
            alarm = self.recorder.session.alarms.get(alarm_id)
            if alarm is None or alarm.acknowledged or not alarm.active:
                continue
            done = self.errors.call(partial(self.recorder.acknowledge, self._nurse(), alarm_id,
                                            self.action.currentText(), self.comment.text()))
            if done is None:
                return False
        self._hide_ack()
        return True

    def _hide_ack(self) -> None:
        self.pending_ids = []
        self.comment.clear()
        self.action.setCurrentText(ACK_DEFAULT)
        self.ack_panel.hide()
        if self._ack_row is not None:
            self._ack_row.setVisible(bool(self._ack_row.alarm_ids))
            self._ack_row = None
        # Typing goes on where it was (Qt would pass focus to the next field in the
        # window, e.g. the nurse's identifier).
        before, self._focus_before = self._focus_before, None
        if before is not None and before.isVisible() and before.isEnabled():
            before.setFocus()
        else:
            self.typing_returns.emit()

    def pause_audio(self) -> None:
        self.errors.call(lambda: self.recorder.pause_audio(self._nurse()))

    def visible_messages(self) -> list[str]:
        return [f"{r.tag.text()} {r.text.text()}" for r in self.rows if r.isVisible()]



