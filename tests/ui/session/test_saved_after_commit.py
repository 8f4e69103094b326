"""'✓ Saved' means committed: the vitals row says it only for an entry the store holds."""

from __future__ import annotations

import pytest

from monitor.errors import StoreError
from tests.support.window import click, type_into


def fill_the_disk(store, rec) -> None:
    """Cap the database at its size, then record until the store refuses (disk full)."""
    with store.raw() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(2000):
            rec.record_vitals({"sbp": "130", "dbp": "80"}, "RN7")


@pytest.mark.hazard("H-210")
def test_a_failed_write_shows_no_saved_and_keeps_what_was_typed(qtbot, bedside, store):
    _window, page, rec = bedside
    v = page.vitals
    fill_the_disk(store, rec)
    try:
        stored = len(store.events(rec.session.session_id))
        v.saved_label.clear()
        type_into(qtbot, v.edits["hr"], "88")
        click(qtbot, v.record_button)
        assert len(store.events(rec.session.session_id)) == stored
        assert not v.saved_label.text().startswith("✓ Saved")
        assert v.edits["hr"].text() == "88", "what the nurse typed stays to be recorded again"
        assert v.general.isVisible() and "disk is full" in v.general.text()
    finally:  # space comes back (also for the window's own shutdown)
        with store.raw() as conn:
            conn.execute("PRAGMA max_page_count = 1073741823")
    click(qtbot, v.record_button)
    assert len(store.events(rec.session.session_id)) == stored + 1
    assert v.saved_label.text().startswith("✓ Saved") and v.edits["hr"].text() == ""
