"""Start-up cost that is not ours.

Once PySide6 is imported, its import hook asks of every module imported after it
whether the module's source mentions "PySide6" (to support PySide's optional
``from __feature__ import ...``). It asks through ``inspect.getsource``, which reads
and splits every file into lines through the line cache: for the few hundred modules
that numpy and pyqtgraph bring, some 30 ms of the window's start. The same question
is answered here by reading the file's bytes once. Modules without a ``.py`` file, or
a PySide6 without this hook, keep PySide6's own answer.
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
