"""Contrast read from the pixels the window paints (WCAG 2.x relative luminance): is a
control's outline visible against what surrounds it?"""

from __future__ import annotations

import math
from collections import Counter

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

UI_COMPONENT = 3.0  # WCAG 1.4.11: a control's boundary against what is next to it


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(c: QColor) -> float:
    return 0.2126 * _channel(c.red()) + 0.7152 * _channel(c.green()) + 0.0722 * _channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ring(rect: QRect) -> list[QPoint]:
    """The pixels on a rectangle's outermost line."""
    xs, ys = range(rect.left(), rect.right() + 1), range(rect.top() + 1, rect.bottom())
    return ([QPoint(x, rect.top()) for x in xs] + [QPoint(x, rect.bottom()) for x in xs]
            + [QPoint(rect.left(), y) for y in ys] + [QPoint(rect.right(), y) for y in ys])


def _circle(rect: QRect) -> list[QPoint]:
    """The pixels one in from the edge of the circle inscribed in ``rect`` (a radio
    button's ring)."""
    cx, cy = rect.left() + rect.width() / 2, rect.top() + rect.height() / 2
    r = rect.width() / 2 - 1.5
    return [QPoint(math.floor(cx + r * math.cos(a / 32 * math.pi)),
                   math.floor(cy + r * math.sin(a / 32 * math.pi))) for a in range(64)]


def _inside(image: QImage, points: list[QPoint]) -> list[QPoint]:
    return [p for p in points if 0 <= p.x() < image.width() and 0 <= p.y() < image.height()]


def surrounding(image: QImage, rect: QRect, gap: int = 2) -> QColor:
    """The most common colour on the line ``gap`` px outside ``rect``: what it sits on."""
    ring = _inside(image, _ring(rect.adjusted(-gap, -gap, gap, gap)))
    counts = Counter(image.pixelColor(p).rgb() for p in ring)
    return QColor.fromRgb(counts.most_common(1)[0][0])


def outline_share(image: QImage, rect: QRect, minimum: float = UI_COMPONENT, *,
                  round_: bool = False) -> float:
    """The share of ``rect``'s outermost pixels (``round_``: of its inscribed circle's)
    that stand out at least ``minimum`` : 1 from what surrounds it (a solid visible
    outline: nearly 1; an invisible one: 0)."""
    around = surrounding(image, rect)
    ring = _inside(image, _circle(rect) if round_ else _ring(rect))
    strong = sum(contrast(image.pixelColor(p), around) >= minimum for p in ring)
    return strong / max(len(ring), 1)


def strongest_inside(image: QImage, rect: QRect, inset: int = 3) -> float:
    """The highest contrast of a pixel inside ``rect``, ``inset`` px in from its edge
    (its outline left out), against the most common colour there: a mark drawn in it (a
    tick, a radio button's dot) and how readable it is."""
    inner = rect.adjusted(inset, inset, -inset, -inset)
    pixels = [image.pixelColor(x, y) for x in range(inner.left(), inner.right() + 1)
              for y in range(inner.top(), inner.bottom() + 1)]
    fill = QColor.fromRgb(Counter(c.rgb() for c in pixels).most_common(1)[0][0])
    return max(contrast(c, fill) for c in pixels)


def rect_in(host: QWidget, widget: QWidget, rect: QRect | None = None) -> QRect:
    """``rect`` of ``widget`` (all of it by default) in ``host``'s coordinates."""
    r = rect if rect is not None else widget.rect()
    return r.translated(widget.mapTo(host, QPoint(0, 0)))
