"""Dim-room dark theme (default) and a light theme; one palette for priorities.

Colours are from the Okabe-Ito colour-blind-safe set where they carry meaning;
alarm priority is never colour alone: a word and a symbol go with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    # The outline of a control the nurse can use (fields, check boxes): at least 3:1
    # against the window and the field (WCAG 1.4.11); ``grid`` is for what is locked.
    edge: str
    focus: str  # the focused control's outline, at least 3:1 too


DARK = Theme("dark", "#0E1216", "#171D23", "#E4E8EC", "#8C97A3", "#2A323B", "#3FBF8F", "#F0C419",
             "#7D8894", "#56B4E9")
LIGHT = Theme("light", "#F4F5F7", "#FFFFFF", "#15191D", "#5B6570", "#D5D9DE", "#00805A", "#9A6B00",
              "#6F7984", "#0072B2")
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
    # An empty locked field's hint is fainter than a live field's (it reads as locked).
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.PlaceholderText,
                 QColor(theme.grid if theme.name == "light" else "#566069"))
    app.setPalette(pal)
    font = app.font()
    font.setPointSize(BASE_PT)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
    return theme


def _tick(name: str) -> str:
    """A check mark drawn for the style sheet (ui/common/check-*.svg)."""
    return Path(__file__).with_name(f"check-{name}.svg").as_posix()


def indicators(t: Theme) -> str:
    """Check boxes and radio buttons: an unticked box has a visible outline (Fusion draws
    it a shade darker than the window, invisible on the dark theme); ticked is the
    primary blue with a white tick; locked is dashed and dim, its tick still readable."""
    dot = ("qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 {c}, "
           "stop:0.4 {c}, stop:0.5 {bg}, stop:1 {bg})")
    return f"""
    QCheckBox::indicator, QRadioButton::indicator {{ width: 16px; height: 16px;
        border: 2px solid {t.edge}; background: {t.panel}; }}
    QCheckBox::indicator {{ border-radius: 3px; }}
    QRadioButton::indicator {{ border-radius: 10px; }}
    QCheckBox::indicator:checked {{ background: #0072B2; border-color: #0072B2;
        image: url("{_tick('on')}"); }}
    QRadioButton::indicator:checked {{ border-color: #0072B2;
        background: {dot.format(c="#0072B2", bg=t.panel)}; }}
    QCheckBox::indicator:hover, QRadioButton::indicator:hover,
    QCheckBox::indicator:focus, QRadioButton::indicator:focus {{
        border-color: {t.focus}; }}
    QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{
        border: 2px dashed {t.grid}; background: {t.bg}; }}
    QCheckBox::indicator:checked:disabled {{ image: url("{_tick(f'locked-{t.name}')}"); }}
    QRadioButton::indicator:checked:disabled {{
        background: {dot.format(c=t.dim, bg=t.bg)}; }}
    """


def stylesheet(t: Theme) -> str:
    return f"""
    QWidget {{ color: {t.text}; }}
    QLineEdit, QComboBox, QSpinBox, QPlainTextEdit {{
        background: {t.panel}; border: 1px solid {t.edge}; border-radius: 4px; padding: 4px;
        min-height: 28px; }}
    QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPushButton:focus,
    QPlainTextEdit:focus, QTableWidget:focus {{ border: 2px solid {t.focus}; }}
    QLineEdit[invalid="true"] {{ border: 2px solid {PRIORITY_COLOR[Priority.HIGH]}; }}
    QLineEdit:focus, QLineEdit[invalid="true"], QComboBox:focus, QSpinBox:focus {{
        padding: 3px; }}
    QPushButton {{ background: {t.panel}; border: 1px solid {t.grid}; border-radius: 4px;
        padding: 6px 12px; min-height: 28px; }}
    QPushButton:hover {{ border-color: {t.focus}; }}
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
    """ + indicators(t)
