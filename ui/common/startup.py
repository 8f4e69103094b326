"""Start-up cost that is not ours, and what the window leaves until after its first paint.

Once PySide6 is imported, its import hook asks of every module imported after it
whether the module's source mentions "PySide6" (to support PySide's optional
``from __feature__ import ...``). It asks through ``inspect.getsource``, which reads
and splits every file into lines through the line cache. The same question is answered
here by reading the file's bytes once. Modules without a ``.py`` file, or a PySide6
without this hook, keep PySide6's own answer. What it saves is after the first paint,
where numpy and pyqtgraph bring hundreds of modules: the fully built window took 841 ms
of CPU with it against 884 ms without (-4 %; the fully built budget, 6.5x the bare
window, was met by 1.4 % in the last quiet run); the first paint, nothing measurable
(293 against 287 ms). Medians of 9 launches of each, interleaved, CPU time of each process
(`python -m bench.run "speed tricks"`, 2 cores beside other work, 7 Dec 2026).

Deferred imports. Importing ``Qt`` from ``PySide6.QtCore`` builds the enums of Qt's
whole namespace: ~18 ms of CPU once the window is up (PySide6 6.11; pyqtgraph ~175 ms,
numpy ~60 ms, reportlab's PDF ~210 ms). No module imported before the first paint
imports them at the top; the few places that need them there import them where used.
Measured by `python -m bench.child imports-window DB SID MODULE[:NAME]...` (each
import's cost at the window's first paint, in the order given; the same for the command
line's start with `imports-cli MODULE...`). Any other import sits at the top of its
module: one that costs less than ~5 ms, or that everything imports anyway, does not pay
for being hidden in a function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


def mentions_pyside(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as fh:
                    return b"PySide6" in fh.read()
            except OSError:
                pass
        return original(module)

    setattr(uses_pyside, "original", original)  # noqa: B010  (marks it installed)
    return uses_pyside


def lighten_imports() -> bool:
    """Install the cheaper check; True when PySide6's hook was there to replace."""
    feature: Any = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or hasattr(original, "original"):
        return False
    feature._mod_uses_pyside = mentions_pyside(original)
    return True
