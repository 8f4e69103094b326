"""A pytest plugin that adds one parameter to the registry before anything else of
the program is imported, exactly as a developer would add a row to REGISTRY.

Nothing else is changed: every list the program uses must take it up by itself.
The values are made up for the test (a transcutaneous CO2 reading under a code
no real device sends)."""

from __future__ import annotations

from monitor.model import parameters as P

ADDED = P.Parameter(
    "tcco2", "TcCO2", "Transcutaneous CO2", "mmHg", 0, 150, ucum="mm[Hg]",
    loinc="99999-1", loinc_display="Transcutaneous carbon dioxide (test row)",
    mdc=(P.Mdc(199999),), mdc_unit="266016^MDC_DIM_MMHG", limits=True, lane="rr",
    print_lane="resp", rail="tcco2", colour="#FFFFFF", print_colour="#000000", board=True,
    vital=P.VitalTrack("TCCO2", 0, 100, 0xFFFFFFFF))

P.REGISTRY = (*P.REGISTRY, ADDED)
P.PARAMETERS[ADDED.key] = ADDED
