"""The bedside sound: what the speaker is doing (or plainly that there is no sound),
and the setting full / quiet / high only, changed with a reason that goes in the log."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout

from monitor.paths import alarm_sound_file
from monitor.sound.policy import MODES
from ui.common.forms import (
    InlineErrors,
    RecorderPanel,
    button,
    error_label,
    label,
    line_edit,
    restyle,
)
from ui.sound.player import AlarmSound, load_config


class SoundPanel(RecorderPanel):
    """A status line with a "Change" button; ``form`` is the inline form that the
    banner places on a row of its own."""

    def _setup_ui(self) -> None:
        config, problem = load_config(alarm_sound_file())
        self.sound = AlarmSound(config)
        self.problem = problem
        # PortAudio is opened (about 25 ms) from the first refresh after the page opened
        # (the tick, at most 1 s later), not while the window is first painted.
        self._opened_at = self.recorder.clock.now()
        self.status = label("", bold=True, name="Sound status")
        self.change = button("Bedside sound…", "Change bedside sound", slot=self._show_form)
        self.form = QFrame()
        self.mode = QComboBox()
        for key, text in MODES.items():
            self.mode.addItem(text, key)
        self.mode.setAccessibleName("Bedside sound setting")
        self.reason = line_edit("Bedside sound reason", "reason (required)")
        self.reason.returnPressed.connect(self.confirm)
        self.confirm_button = button("Confirm sound setting", primary=True, slot=self.confirm)
        self.cancel = button("Cancel", "Cancel sound setting", slot=self._hide_form)
        self.error = error_label("Sound setting error")
        self.reason_error = error_label("Sound reason error")
        self.errors = InlineErrors(self.error, {"reason": (self.reason, self.reason_error),
                                                "sound_mode": (self.mode, self.error)})

    def _layout(self) -> None:
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.status)
        top.addWidget(self.change)
        row = QHBoxLayout(self.form)
        row.setContentsMargins(10, 2, 10, 2)
        for w in (label("Bedside sound:"), self.mode, self.reason, self.reason_error,
                  self.confirm_button, self.cancel, self.error):
            row.addWidget(w)
        self.form.hide()
        self.refresh(None)

    def refresh(self, now: datetime | None) -> None:
        """Let the policy start a burst if one is due, and say what the sound is doing."""
        session = self.recorder.session
        if now is not None and now > self._opened_at:
            self.sound.probe()
            self.sound.update(session, now)
        mode = session.sound_mode
        if not self.sound.probed:
            text = "Sound: checking…"
        elif not self.sound.available:
            text = "✕ No sound"  # why: on hover, and in the form
        elif mode == "quiet":
            text = f"Sound: quiet ({round(self.sound.config.quiet_volume * 100)} %)"
        elif mode == "high_only":
            text = "Sound: high priority only"
        else:
            text = "Sound: full"
        self.status.setText(text)
        # The setting in the button, short: the banner's row keeps room for what is due.
        self.change.setText(f"Sound: {MODES[mode].split(' (')[0].lower()}…")
        self.change.setToolTip(f"Bedside sound: {MODES[mode]} (change)")
        restyle(self.status, "role", "error" if self.sound.probed and not self.sound.available
                else None)
        tip = [self.sound.status if self.sound.probed else ""]
        if self.problem:
            tip.append(self.problem)
        self.status.setToolTip("\n".join(tip))

    def _show_form(self) -> None:
        self.mode.setCurrentIndex(self.mode.findData(self.recorder.session.sound_mode))
        self.form.show()
        self.mode.setFocus()

    def _hide_form(self) -> None:
        self.reason.clear()
        self.errors.clear()
        self.form.hide()

    def confirm(self) -> bool:
        done = self.errors.call(lambda: self.recorder.change_sound_mode(
            self._nurse(), self.mode.currentData(), self.reason.text()))
        if done is None:
            return False
        self._hide_form()
        self.refresh(None)
        return True

    def stop(self) -> None:
        self.sound.stop()
