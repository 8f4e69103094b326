"""Eight chairs at 1 Hz device data into one clinic server, a board following them.
``make test`` runs 20 s of it; ``make bench`` runs the full ten minutes."""

from __future__ import annotations

from monitor.model.events import first_broken
from tests.support.clinic_load import run_clinic


def test_eight_chairs_at_1_hz_every_sample_once_and_on_the_board(pg_server, clinic_url,
                                                                 tmp_path) -> None:
    result = run_clinic(pg_server, clinic_url, chairs=8, seconds=20, rate_hz=1.0,
                        work=tmp_path)
    n = result["samples_per_chair"]
    assert len(result["commits"]) == 8 * n
    for sid, events in result["stored"].items():
        vitals = [e for e in events if e.kind == "vitals_recorded"]
        assert len(vitals) == n, sid
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert first_broken(events) is None
    assert result["missing"] == []
    delays = result["delays"]
    p95 = delays[int(0.95 * (len(delays) - 1))]
    assert p95 <= 1.0, p95
