"""The confirmation of a discharge before its criteria are met: it lists every unmet
item, and Enter goes back (the default is "Go back"): only a click, or Tab to
"Discharge anyway" and Space, discharges."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.common.confirm import ConfirmDialog
from ui.common.forms import label
from ui.session.below_banner import move_below_banner


class UnmetDialog(ConfirmDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, title="Discharge before the criteria are met")
        self.cancel_button.setText("Go back")
        # The safe answer is the bright one; "Discharge anyway" does not invite the click.
        self.cancel_button.setProperty("role", "primary")
        self.confirm_button.setProperty("role", None)
        # The list in plain text under the bold question, so a long one stays readable.
        self.items = label("", pt=12, name="Unmet items")
        self.items.setWordWrap(True)
        self.items.setMinimumWidth(520)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.items)

    def ask_unmet(self, act: str, unmet: list[str], action: Callable[[], object],
                  before: list[str] | None = None) -> None:
        """List ``unmet``; asked again (``before``: the list the nurse answered), the
        lines she has not seen are marked NEW and the question says the list changed."""
        again = before is not None
        self.items.setText("\n".join(
            f"• {'NEW: ' if again and line not in (before or []) else ''}{line}"
            for line in unmet))
        changed = "The list changed since you answered. " if again else ""
        # Enter must not discharge: it goes back (warned).
        self.ask(f"{changed}Not met ({len(unmet)}). Discharge anyway as {act}?", action,
                 confirm_text="Discharge anyway", warned=True)
        move_below_banner(self)  # a long list never covers the alarms it names
