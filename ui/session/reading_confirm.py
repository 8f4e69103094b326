"""The "are you sure" question about an unusual but real reading (RR 0, SBP 35): a small
modal under the alarm banner, as the other confirmations of the session page, so the
vitals row, Record and the chart lanes never move for it. It carries a warning: Cancel
is the default (Enter and Escape keep the values typed and store nothing) and hands the
cursor back to the field it came from; recording takes a click, or Tab and Space."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from monitor.errors import ConfirmationNeeded
from ui.common.confirm import ConfirmDialog, question_text
from ui.common.forms import InlineErrors
from ui.session.below_banner import move_below_banner


class ReadingConfirm(ConfirmDialog):
    def __init__(self, errors: InlineErrors, name: str, parent: QWidget,
                 home: Callable[[], object]) -> None:
        """``home`` puts the cursor in the row when the question was not asked from it."""
        super().__init__(parent, title=f"Confirm {name}")
        self.errors = errors
        self.text = self.question  # what is asked, with every warning
        self.text.setAccessibleName(f"{name} confirmation")
        self.confirm_button.setAccessibleName(f"Confirm {name}")
        self.cancel_button.setAccessibleName(f"Cancel {name}")
        self._done: Callable[[Any], object] | None = None
        self._back: QWidget | None = None
        self._home = home
        errors.on_confirm = self.ask_about
        self.rejected.connect(self._give_back_focus)

    def after(self, done: Callable[[Any], object]) -> None:
        """What to do with the event once the confirmed entry is recorded."""
        self._done = done

    def ask_about(self, exc: ConfirmationNeeded) -> None:
        focus = QApplication.focusWidget()
        parent = self.parentWidget()
        inside = focus is not None and parent is not None and parent.isAncestorOf(focus)
        self._back = focus if inside else None
        self.ask(question_text("Record this set?", exc.warnings),
                 lambda: self._record(exc), confirm_text="Confirm and record", warned=True)
        move_below_banner(self)  # never on the alarms, never on the row

    def _record(self, exc: ConfirmationNeeded) -> None:
        event = self.errors.call(exc.retry)
        if event is not None and self._done is not None:
            self._done(event)
        elif event is None:
            self._give_back_focus()

    def _give_back_focus(self) -> None:
        """Cancel means "I'll look again": the cursor goes back where it was in the row
        (never on to the window's first control, where the next Enter would leave)."""
        back, self._back = self._back, None
        parent = self.parentWidget()
        if parent is not None:  # the window takes the keys again, not the closed question
            parent.window().activateWindow()
        if back is not None and back.isVisible():
            back.setFocus()
        else:
            self._home()
