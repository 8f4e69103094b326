"""Dim-room dark theme (default) and a light theme; one palette for priorities.

Colours are from the Okabe-Ito colour-blind-safe set where they carry meaning;
alarm priority is never colour alone: a word and a symbol go with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from monitor.model.series_colours import colour
from monitor.model.session import Priority

PRIORITY_COLOR = {Priority.HIGH: "#E8402F", Priority.MEDIUM: "#F0C419", Priority.LOW: "#56B4E9"}
PRIORITY_TEXT = {Priority.HIGH: "#FFFFFF", Priority.MEDIUM: "#111111", Priority.LOW: "#111111"}
PRIORITY_WORD = {p: p.value.upper() for p in Priority}
PRIORITY_SYMBOL = {Priority.HIGH: "!!!", Priority.MEDIUM: "!!", Priority.LOW: "!"}
# Flash half-periods in ms: high ≈ 2 Hz, medium ≈ 0.5 Hz, low steady (IEC 60601-1-8).
FLASH_HALF_PERIOD_MS = {Priority.HIGH: 250, Priority.MEDIUM: 1000}



@dataclass(frozen=True)
class Theme:
    name: str
    bg: str
    panel: str
    text: str
    dim: str
    grid: str
    ok: str
    warn: str


DARK = Theme("dark", "#0E1216", "#171D23", "#E4E8EC", "#8C97A3", "#2A323B", "#3FBF8F", "#F0C419")
LIGHT = Theme("light", "#F4F5F7", "#FFFFFF", "#15191D", "#5B6570", "#D5D9DE", "#00805A", "#9A6B00")
THEMES = {"dark": DARK, "light": LIGHT}
_current = DARK

BASE_PT = 12
VALUE_PT = 26


def current() -> Theme:
    return _current


def series_color(name: str) -> str:
    """The series' colour for the current theme (the PDF uses the light variant)."""
    return colour(name, dark=_current.name == "dark")


def alarm_text(priority: Priority) -> str:
    """Priority colour for text on the window background (yellow is too faint on light)."""
    if priority is Priority.MEDIUM and _current.name == "light":
        return _current.warn
    return PRIORITY_COLOR[priority]


def apply_theme(app: QApplication, name: str = "dark") -> Theme:
    global _current
    theme = THEMES[name]
    _current = theme
    app.setStyle("Fusion")
    pal = QPalette()
    for role, color in ((QPalette.ColorRole.Window, theme.bg),
                        (QPalette.ColorRole.Base, theme.panel),
                        (QPalette.ColorRole.AlternateBase, theme.bg),
                        (QPalette.ColorRole.Text, theme.text),
                        (QPalette.ColorRole.WindowText, theme.text),
                        (QPalette.ColorRole.Button, theme.panel),
                        (QPalette.ColorRole.ButtonText, theme.text),
                        (QPalette.ColorRole.Highlight, "#0072B2"),
                        (QPalette.ColorRole.HighlightedText, "#FFFFFF"),
                        (QPalette.ColorRole.ToolTipBase, theme.panel),
                        (QPalette.ColorRole.ToolTipText, theme.text),
                        (QPalette.ColorRole.PlaceholderText, theme.dim)):
        pal.setColor(role, QColor(color))
    app.setPalette(pal)
    font = app.font()
    font.setPointSize(BASE_PT)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
    return theme


def stylesheet(t: Theme) -> str:
    return f"""
    QWidget {{ color: {t.text}; }}
    QLineEdit, QComboBox, QSpinBox, QPlainTextEdit {{
        background: {t.panel}; border: 1px solid {t.grid}; border-radius: 4px; padding: 4px;
        min-height: 28px; }}
    QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPushButton:focus,
    QPlainTextEdit:focus, QTableWidget:focus {{ border: 2px solid #56B4E9; }}
    QLineEdit[invalid="true"] {{ border: 2px solid {PRIORITY_COLOR[Priority.HIGH]}; }}
    QLineEdit:focus, QLineEdit[invalid="true"], QComboBox:focus, QSpinBox:focus {{
        padding: 3px; }}
    QPushButton {{ background: {t.panel}; border: 1px solid {t.grid}; border-radius: 4px;
        padding: 6px 12px; min-height: 28px; }}
    QPushButton:hover {{ border-color: #56B4E9; }}
    QPushButton:checked {{ background: #0072B2; color: white; }}
    QPushButton:disabled {{ color: {t.dim}; }}
    QPushButton[role="primary"] {{ background: #0072B2; color: white; font-weight: bold; }}
    QLabel[role="error"] {{ color: {PRIORITY_COLOR[Priority.HIGH]}; font-weight: bold; }}
    QLabel[role="dim"] {{ color: {t.dim}; }}
    QLabel[role="saved"] {{ color: {t.ok}; font-weight: bold; }}
    QTabWidget::pane {{ border: 1px solid {t.grid}; }}
    QTabBar::tab {{ padding: 6px 14px; background: {t.bg}; border: 1px solid {t.grid}; }}
    QTabBar::tab:selected {{ background: {t.panel}; font-weight: bold; }}
    QHeaderView::section {{ background: {t.bg}; padding: 4px; border: 0; }}
    QTableWidget {{ gridline-color: {t.grid}; }}
    QFrame#Drawer QPushButton {{ padding: 3px 8px; min-height: 22px; }}
    QFrame#Drawer QLineEdit, QFrame#Drawer QComboBox, QFrame#Drawer QSpinBox {{
        padding: 2px; min-height: 22px; }}
    QFrame#Drawer {{ border: 1px solid {t.grid}; background: {t.bg}; }}
    QPushButton:disabled, QPushButton[role="primary"]:disabled, QLineEdit:disabled,
    QComboBox:disabled, QSpinBox:disabled, QPlainTextEdit:disabled {{
        background: {t.bg}; color: {t.dim}; border: 1px dashed {t.grid};
        font-weight: normal; }}
    QCheckBox:disabled, QRadioButton:disabled, QLabel:disabled {{ color: {t.dim}; }}
    """
