"""The report's small readability rules as pure functions, over every span and
value that can occur: the time axis, minutes since the start, the discharge
checklist's words, and where an export goes by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.clinical.discharge import saved_checks
from monitor.export import folder
from monitor.export.pdf_charts import tick_label, tick_step, time_ticks
from monitor.export.pdf_marks import minute_text


@pytest.mark.hazard("H-336")
@pytest.mark.parametrize("span", [60, 61, 89, 90, 200, 299, 300, 340, 900, 3599, 3600,
                                  7199, 7200, 7201, 4 * 3600, 86400, 86400 + 7,
                                  5 * 86400, 31 * 86400])
def test_every_span_gets_four_to_eight_round_spaces_in_one_unit(span):
    ticks = time_ticks(span)
    assert ticks[0] == 0 and 4 <= len(ticks) - 1 <= 8, (span, ticks)
    assert span - ticks[-1] < tick_step(span)          # the end is within one step
    labels = [tick_label(t, tick_step(span), span) for t in ticks]
    assert len(set(labels)) == len(labels), labels       # no two ticks read the same
    units = {label.split()[-1] if label.endswith("min") else "h" for label in labels}
    assert len(units) == 1, labels


@pytest.mark.hazard("H-336")
@pytest.mark.parametrize(("minutes", "text"), [(-0.33, "0"), (-0.49, "0"), (-0.0, "0"),
                                               (0.0, "0"), (0.4, "0"), (0.6, "1"),
                                               (-0.6, "-1"), (-12.2, "-12"), (None, "")])
def test_minutes_since_the_start_are_never_minus_zero(minutes, text):
    assert minute_text(minutes) == text


@pytest.mark.hazard("H-337")
def test_saved_checks_keep_the_saved_words_and_name_old_keys_in_words():
    saved = {"checks": {
        "min_observation_met": {"ok": False, "label": "Minimum observation time met",
                                "detail": "1 of 60 min"},
        "spo2_rr_in_band": {"ok": True, "detail": "yes"}}}  # saved before labels were kept
    checks = saved_checks(saved)
    assert [c.label for c in checks] == ["Minimum observation time met", "Spo2 rr in band"]
    assert [c.ok for c in checks] == [False, True]


@pytest.mark.hazard("H-339")
def test_default_folder_is_documents_never_a_system_or_home_folder(tmp_path, monkeypatch):
    docs = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(docs))
    assert folder.default_folder() == docs
    assert folder.default_folder(tmp_path) == tmp_path           # the last folder used
    assert folder.default_folder(tmp_path / "gone") == docs      # … while it is there
    for system in ("/", "/etc", "/usr/share", "/var/tmp", "/root", str(Path.home())):
        assert folder.is_system(Path(system)), system
        assert folder.default_folder(system) == docs
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", "/etc")               # a broken user setting
    assert folder.default_folder() == folder.fallback()
    folder.prepare(folder.fallback())
    assert folder.fallback().is_dir()
    typed = tmp_path / "typo-folder"
    folder.prepare(typed)                                         # never makes a typed one
    assert not typed.exists()
