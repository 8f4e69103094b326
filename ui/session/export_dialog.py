"""Export dialog: format, destination, de-identify. Writes atomically through
the core's exporters, so a failure never leaves a half file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QFileDialog, QGridLayout, QWidget

from monitor.errors import MonitorError
from monitor.export import folder as export_folder
from monitor.export.atomic import TargetExists
from monitor.export.formats import FORMATS, PAGE_SIZES, SUFFIX
from monitor.record.recorder import Recorder
from monitor.record.service import Service
from ui.common.forms import button, error_label, label, line_edit
from ui.common.input_filter import quiet_wheel

PAPER = {"a4": "A4", "letter": "US Letter"}
LAST_FOLDER_KEY = "export/last_folder"
OVERWRITE = "Overwrite an existing file"


def last_folder() -> str | None:
    """The folder of the last export written from this computer's window, if any."""
    value = QSettings().value(LAST_FOLDER_KEY)
    return str(value) if value else None


def exists_text(path: Path) -> str:
    """The window's words for a file already there: the box to tick, not a flag."""
    return (f"{path.name} already exists in {path.parent}. To replace it, tick "
            f"\u201c{OVERWRITE}\u201d and press Export again, or change the file name.")


def safe_name(text: str) -> str:
    """Text usable in a file name: letters, digits, - and _ (anything else becomes _)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


def with_suffix(path: Path, suffix: str) -> Path:
    """``path`` with its export suffix (if it has one) replaced by ``suffix``."""
    known = sorted(set(SUFFIX.values()), key=len, reverse=True)  # ".csv.gz" before ".gz"
    name = path.name
    for old in known:
        if name.endswith(old):
            return path.with_name(name[: -len(old)] + suffix)
    return path.with_name(name + suffix)


class ExportDialog(QDialog):
    def __init__(self, recorder: Recorder, service: Service, fmt: str = "pdf",
                 folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.service = service
        self.setWindowTitle("Export session")
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.format.setCurrentText(fmt)
        self.format.setAccessibleName("Export format")
        self.page_size = QComboBox()
        self.page_size.addItems([PAPER[p] for p in PAGE_SIZES])
        self.page_size.setAccessibleName("PDF page size")
        self.folder = folder or export_folder.default_folder(last_folder())
        self.path = line_edit("Export destination", "file path", 420)
        self.browse = button("Browse…", "Browse for destination", slot=self._browse)
        self.deidentify = QCheckBox("De-identify (no patient identifier, times as offsets, "
                                    "no free text)")
        self.deidentify.setAccessibleName("De-identify")
        self.wide = QCheckBox("CSV: one row per vitals set (wide)")
        self.wide.setAccessibleName("Wide CSV")
        self.overwrite = QCheckBox(OVERWRITE)
        self.overwrite.setAccessibleName("Overwrite")
        self.write_button = button("Export", "Write export", primary=True, slot=self.write)
        self.cancel_button = button("Close", "Close export dialog", slot=self.reject)
        self.result_label = label("", "saved", name="Export result")
        self.error = error_label("Export error")
        self.chosen = False  # the nurse typed or browsed a path
        self.path.textEdited.connect(lambda _t: setattr(self, "chosen", True))
        self.where = label("", "dim", name="Export folder")  # where the file goes, in words
        self.where.setWordWrap(True)
        self.path.textChanged.connect(self._say_where)
        self.format.currentTextChanged.connect(self._suggest)
        self.deidentify.toggled.connect(self._on_deidentify)
        self._suggest()
        grid = QGridLayout(self)
        grid.addWidget(label("Format", "dim"), 0, 0)
        grid.addWidget(self.format, 0, 1)
        grid.addWidget(label("File", "dim"), 1, 0)
        grid.addWidget(self.path, 1, 1)
        grid.addWidget(self.browse, 1, 2)
        grid.addWidget(self.where, 2, 1, 1, 2)
        grid.addWidget(label("PDF paper", "dim"), 3, 0)
        grid.addWidget(self.page_size, 3, 1)
        grid.addWidget(self.deidentify, 4, 1, 1, 2)
        grid.addWidget(self.wide, 5, 1, 1, 2)
        grid.addWidget(self.overwrite, 6, 1, 1, 2)
        grid.addWidget(self.write_button, 7, 1)
        grid.addWidget(self.cancel_button, 7, 2)
        grid.addWidget(self.result_label, 8, 0, 1, 3)
        grid.addWidget(self.error, 9, 0, 1, 3)
        quiet_wheel(self)

    def _suggest(self) -> None:
        self.page_size.setEnabled(self.format.currentText() == "pdf")
        s = self.recorder.session
        suffix = SUFFIX[self.format.currentText()]
        self.wide.setVisible(self.format.currentText() == "csv")  # offered for CSV only
        if self.chosen:  # the nurse's folder and name stay: only the suffix follows
            self.path.setText(str(with_suffix(Path(self.path.text()), suffix)))
            return
        if self.deidentify.isChecked():  # nothing that links the file to the session
            name = f"ketamine-deidentified{suffix}"
        else:
            who = safe_name(str(s.opening.get("patient_id", "session")))
            name = f"ketamine-{who}-{s.session_id}{suffix}"
        self.path.setText(str(self.folder / name))

    def _say(self, error: str) -> None:
        """The error, whole: the dialog grows to the lines it wraps to."""
        self.error.setText(error)
        self.error.show()
        self.adjustSize()

    def _say_where(self, text: str) -> None:
        folder = Path(text.strip() or ".").expanduser().parent
        self.where.setText(f"Saves in {export_folder.describe(folder, last_folder())}")

    def _on_deidentify(self, _on: bool) -> None:
        """The name says whom the file is about: a new name, in the chosen folder."""
        if self.chosen:
            self.folder = Path(self.path.text()).parent
            self.chosen = False
        self._suggest()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if chosen:
            self.path.setText(chosen)
            self.chosen = True

    def write(self) -> Path | None:
        self.error.hide()
        fmt = self.format.currentText()
        target = Path(self.path.text().strip()).expanduser()
        if not self.path.text().strip():
            self._say("Export destination: give a file path")
            return None
        notes: list[str] = []
        export_folder.prepare(target.parent)
        try:
            # The record is checked first (cached by head: cheap after the window's check).
            written, size = self.service.export(
                self.recorder, fmt, target, deidentify=self.deidentify.isChecked(),
                wide=self.wide.isChecked(), force=self.overwrite.isChecked(),
                page_size=PAGE_SIZES[self.page_size.currentIndex()], notes=notes)
        except TargetExists as exc:
            self._say(exists_text(exc.path))
            self.overwrite.setFocus()  # Space ticks it, as the message says
            return None
        except MonitorError as exc:
            self._say(str(exc))
            return None
        QSettings().setValue(LAST_FOLDER_KEY, str(written.parent))
        self.folder = written.parent
        self.result_label.setText("\n".join([f"✓ Wrote {written} ({size:,} bytes)", *notes]))
        return written
