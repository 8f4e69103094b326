"""Fonts for the PDF reports: embedded Unicode TrueType fonts, never the
standard fourteen (which are not embedded and draw any non-Latin-1 letter as a
black box).

The text font is DejaVu Sans (Debian ``fonts-dejavu-core``: Latin, Greek,
Cyrillic and much more), bold DejaVu Sans Bold. Characters it lacks are drawn
with the first fallback that has them: Droid Sans Fallback (CJK,
``fonts-droid-fallback``) and Symbola (emoji and symbols, ``fonts-symbola``).
Noto CJK (``fonts-noto-cjk``) ships PostScript (CFF) outlines, which reportlab
cannot embed, so it is tried and skipped. Without DejaVu the report uses
reportlab's own Bitstream Vera (Latin only, still embedded).

A character no font can draw is never a silent box: it is printed as its code
(``[U+1F972]``), and the report and the export's message say which characters
were affected. Zero-width joiners and variation selectors are dropped.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

BASE = "ReportSans"
BOLD = "ReportSans-Bold"
# (name, file names to look for): the text font and its bold first.
FontFiles = tuple[tuple[str, tuple[str, ...]], ...]
TEXT_FONTS: FontFiles = ((BASE, ("DejaVuSans.ttf",)), (BOLD, ("DejaVuSans-Bold.ttf",)))
FALLBACK_FONTS: FontFiles = (
    ("ReportCJK", ("NotoSansCJK-Regular.ttc", "DroidSansFallbackFull.ttf",
                   "DroidSansFallback.ttf")),
    ("ReportSymbols", ("Symbola_hint.ttf", "Symbola.ttf")),
)
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
# Invisible joiners and selectors: nothing is lost when they are not drawn.
SILENT = {0x200C, 0x200D, 0x2060, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


@dataclass(frozen=True)
class Fonts:
    base: str
    bold: str
    base_chars: frozenset[int]
    fallbacks: tuple[tuple[str, frozenset[int]], ...]
    files: tuple[str, ...]  # the files embedded, for the report's colophon and logs

    def font_for(self, ch: str) -> str | None:
        """The font that draws ``ch``: the text font, a fallback, or None."""
        code = ord(ch)
        if code in self.base_chars or ch in "\n\t":
            return self.base
        for name, chars in self.fallbacks:
            if code in chars:
                return name
        return None


def _find(names: tuple[str, ...]) -> list[Path]:
    found: dict[str, Path] = {}
    for d in FONT_DIRS:
        root = Path(os.path.expanduser(d))
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                if f in names and f not in found:
                    found[f] = Path(dirpath) / f
    return [found[n] for n in names if n in found]


def _register(name: str, paths: list[Path]) -> frozenset[int] | None:
    for path in paths:
        try:
            font = TTFont(name, str(path))
        except (TTFError, OSError) as exc:  # e.g. CFF outlines: try the next file
            log.info("PDF font %s not usable: %s", path, exc)
            continue
        pdfmetrics.registerFont(font)
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, BOLD if bold and name == BASE else name)
        return frozenset(font.face.charToGlyph)
    return None


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with every code point as UTF-16BE, as the PDF
    reference asks: reportlab writes a character past U+FFFF (an emoji) as five
    hex digits, so a reader copying the text (or pypdf) gets another letter."""
    head = _reportlab_cmap(fontname, subset).split("beginbfchar")[0]
    chars = "\n".join(f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
                      for i, v in enumerate(subset))
    return (f"{head}beginbfchar\n{chars}\nendbfchar\nendcmap\n"
            "CMapName currentdict /CMap defineresource pop\nend\nend")


_reportlab_cmap = ttfonts.makeToUnicodeCMap


@functools.cache
def fonts() -> Fonts:
    """Find and register the fonts once per process."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    files: list[str] = []
    chars: dict[str, frozenset[int]] = {}
    for name, wanted in TEXT_FONTS:
        paths = _find(wanted)
        got = _register(name, paths)
        if got is None:  # reportlab's own Vera: Latin only, but embedded
            vera = Path(reportlab.__file__).parent / "fonts" / (
                "VeraBd.ttf" if name == BOLD else "Vera.ttf")
            paths = [vera]
            got = _register(name, paths)
            log.warning("PDF: DejaVu Sans not found (Debian: fonts-dejavu-core); using Vera")
        if got is None:
            raise RuntimeError(f"No font for the PDF report: {wanted[0]} and Vera both failed")
        chars[name] = got
        files.append(str(paths[0]))
    fallbacks = []
    for name, wanted in FALLBACK_FONTS:
        paths = _find(wanted)
        got = _register(name, paths)
        if got is not None:
            fallbacks.append((name, got))
            files.append(next(str(p) for p in paths if p.exists()))
        else:
            log.info("PDF: no %s font found (%s)", name, ", ".join(wanted))
    return Fonts(BASE, BOLD, chars[BASE], tuple(fallbacks), tuple(files))


# Characters that could not be drawn in the report being built.
_missing: ContextVar[set[str] | None] = ContextVar("missing_glyphs", default=None)


@contextlib.contextmanager
def tracking() -> Iterator[set[str]]:
    """Collect the characters no font could draw while a report is built."""
    missing: set[str] = set()
    token = _missing.set(missing)
    try:
        yield missing
    finally:
        _missing.reset(token)


def _code(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` as (font, text) runs; a character no font has becomes its code."""
    f = fonts()
    out: list[tuple[str, str]] = []
    for ch in text:
        name = f.font_for(ch)
        if name is None:
            if ord(ch) in SILENT or unicodedata.category(ch) in ("Cc", "Cf"):
                continue
            missing = _missing.get()
            if missing is not None:
                missing.add(ch)
            name, ch = f.base, _code(ch)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


def plain(text: str) -> bool:
    """True when the text font draws every character (no markup needed)."""
    if text.isascii():
        return True
    base = fonts().base_chars
    return all(ord(c) in base for c in text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(text: str) -> str:
    """Escaped paragraph markup for ``text``, each run in a font that draws it."""
    if plain(text):
        return _escape(text)
    base = fonts().base
    return "".join(_escape(t) if name == base else f'<font name="{name}">{_escape(t)}</font>'
                   for name, t in runs(text))


def draw(canvas: Canvas, x: float, y: float, text: str, size: float, *,
         right: bool = False) -> None:
    """Draw one line on a reportlab canvas in runs of fonts (right-aligned at x if
    ``right``)."""
    parts = runs(text)
    if right:
        x -= sum(pdfmetrics.stringWidth(t, name, size) for name, t in parts)
    for name, t in parts:
        canvas.setFont(name, size)
        canvas.drawString(x, y, t)
        x += pdfmetrics.stringWidth(t, name, size)


def missing_note(missing: set[str]) -> str:
    """What the report and the export message say about characters not drawn."""
    codes = ", ".join(_code(c)[1:-1] for c in sorted(missing))
    return (f"{len(missing)} character(s) could not be drawn with the embedded fonts and "
            f"are printed as their code: {codes}")
