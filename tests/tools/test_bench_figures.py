"""Budget ratios are medians of interleaved pairs: a load that slows both sides of a
pair leaves the ratio where it was, as the ratio of two medians would not."""

from __future__ import annotations

import json

from bench.figures import interleaved, ratio_figure


def test_interleaved_runs_ours_and_the_baseline_in_turn():
    calls: list[str] = []

    def side(name: str, ms: float):
        def run() -> float:
            calls.append(name)
            return ms
        return run

    ours, base = interleaved(side("A", 2.0), side("B", 1.0), 3)
    assert calls == ["A", "B", "A", "B", "A", "B"]
    assert (ours, base) == ([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])


def test_a_ratio_holds_when_the_load_changes_between_pairs():
    # The machine gets 3x busier for the last pairs, on both sides of each pair alike.
    load = [1, 1, 1, 3, 3, 3, 3]
    ours = [120.0 * k for k in load]
    baseline = [100.0 * k for k in load]
    got = ratio_figure("r", ours, baseline, 1.5)
    assert abs(got["median"] - 1.2) < 1e-9 and got["pass"]
    assert got["runs"] == 7 and got["unit"] == "x" and got["budget"] == {"median": 1.5}


def test_a_ratio_over_budget_fails_and_every_figure_is_json():
    got = ratio_figure("r", [3.0, 3.2, 2.9], [1.0, 1.0, 1.0], 2.5, "note")
    assert not got["pass"] and got["note"].startswith("note; pairs' ratios 2.90–3.20")
    unbudgeted = ratio_figure("r", [1.0], [2.0], None)
    assert unbudgeted["budget"] == {} and unbudgeted["pass"]
    json.loads(json.dumps([got, unbudgeted], allow_nan=False))
