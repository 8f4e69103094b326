"""The cheaper answer to PySide6's import-hook question gives PySide6's own answer."""

from __future__ import annotations

import importlib
import sys

import pytest

from ui.common import startup


def test_same_answer_as_pyside_for_every_loaded_module() -> None:
    feature = importlib.import_module("shibokensupport.feature")  # made by PySide6

    original = getattr(feature._mod_uses_pyside, "original", feature._mod_uses_pyside)
    cheaper = startup.mentions_pyside(original)
    modules = [m for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
    answers = {m.__name__: cheaper(m) for m in modules}
    assert answers == {m.__name__: original(m) for m in modules}
    assert answers["ui.common.startup"] and not answers["json"]  # both kinds were asked


def test_installed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    feature = importlib.import_module("shibokensupport.feature")  # made by PySide6

    original = getattr(feature._mod_uses_pyside, "original", feature._mod_uses_pyside)
    monkeypatch.setattr(feature, "_mod_uses_pyside", original)
    assert startup.lighten_imports() is True
    assert feature._mod_uses_pyside.original is original
    assert startup.lighten_imports() is False  # already in place: not wrapped twice
