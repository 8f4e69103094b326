"""The parameter registry is the single source: a row added to it reaches every
part of the program. The added row is tested in a separate interpreter (a plugin
adds it before anything else is imported), so this run's registry stays as shipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.clinical.protocols import LIMIT_PARAMS
from monitor.clinical.validation import PLAUSIBLE
from monitor.devices.mdc import CODES, UNITS
from monitor.export.csv_out import WIDE_VALUES
from monitor.model.parameters import PARAMETERS, REGISTRY, VITAL, keys
from monitor.model.session import SERIES_PARAMS

ROOT = Path(__file__).resolve().parents[3]


def _probe(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.added_parameter.plugin",
         "-p", "no:cacheprovider", f"tests/added_parameter/{name}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, **env})


@pytest.mark.hazard("H-300")
def test_an_added_parameter_reaches_the_core_exporters_and_hl7() -> None:
    out = _probe("probe_added_parameter.py")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "5 passed" in out.stdout.splitlines()[-1]


def test_the_shipped_lists_are_the_registry() -> None:
    assert set(SERIES_PARAMS) == {p.key for p in REGISTRY if p.group != "body"}
    assert keys(limits=True) == LIMIT_PARAMS
    assert (*keys(group=VITAL), "o2") == WIDE_VALUES
    assert {m.param for m in CODES.values()} == {p.key for p in REGISTRY if p.mdc}
    assert CODES[151708].param == "etco2" and UNITS["etco2"][1] == {"mm[Hg]"}
    for p in REGISTRY:
        assert (PLAUSIBLE[p.key].low, PLAUSIBLE[p.key].high) == (p.low, p.high)
    assert list(PARAMETERS) == [p.key for p in REGISTRY]
