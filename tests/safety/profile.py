"""How long the safety machines run: ``make test`` (default) or ``make soak``
(KM_SAFETY_PROFILE=soak). ``make test`` reports a failing sequence as found
(shrinking one can take minutes); ``make soak`` shrinks it to a minimal example."""

from __future__ import annotations

import os

from hypothesis import Phase, settings

PROFILE = os.environ.get("KM_SAFETY_PROFILE", "default")
SOAK = PROFILE == "soak"


def machine_settings(default: tuple[int, int], soak: tuple[int, int]) -> settings:
    """Settings for a state machine: (examples, steps) for each profile."""
    examples, steps = soak if SOAK else default
    phases = [p for p in Phase if SOAK or p not in (Phase.shrink, Phase.explain)]
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    report_multiple_bugs=SOAK, phases=phases)
