"""The on-screen check the screen tests rely on must catch what it is for: a
control off the available area, one cut off by its parent, one drawn over
another."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget

from tools.walkthrough import outside


def test_check_catches_off_screen_cut_off_and_overlapping_controls(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.setGeometry(40, 40, 300, 200)
    inside = QPushButton("Inside", window)
    inside.setGeometry(10, 10, 80, 30)
    window.show()
    qtbot.waitExposed(window)
    avail = window.frameGeometry().adjusted(-5, -5, 5, 5)
    assert outside(window, avail) == []

    cut = QPushButton("Cut off", window)
    cut.setGeometry(250, 10, 120, 30)  # past the window's right edge
    over = QPushButton("Over", window)
    over.setGeometry(50, 20, 80, 30)  # on top of "Inside"
    for b in (cut, over):
        b.show()
    problems = outside(window, avail)
    assert any("'Cut off'" in p and "off screen" in p for p in problems), problems
    assert any("overlaps" in p and "Inside" in p for p in problems), problems
    small = QRect(avail.x(), avail.y(), 100, 100)
    assert any("frame of QWidget" in p for p in outside(window, small))
