"""The IEC 60601-1-8 figures for auditory alarm signals (Tables 3 and 4), as data.

Every clinic setting is checked against these ranges; the measurement tests
check the rendered sound against them too. Sources: docs/alarms-and-protocols.md.
"""

from __future__ import annotations

from monitor.model.session import Priority

_H, _M, _L = Priority.HIGH, Priority.MEDIUM, Priority.LOW
PRIORITIES = (_H, _M, _L)
PULSES = {_H: (10,), _M: (3,), _L: (1, 2)}

FUNDAMENTAL_HZ = (150.0, 1000.0)
HARMONIC_BAND_HZ = (300.0, 4000.0)   # harmonics counted in this band
MIN_HARMONICS = 4                    # at least 4 in the band
HARMONIC_WITHIN_DB = 15.0            # each within ±15 dB of the fundamental
RISE_PCT = (10.0, 20.0)              # rise time, % of the effective pulse duration
MAX_PULSE_LEVEL_SPREAD_DB = 10.0     # between any two pulses of a burst

PULSE_MS = {_H: (75.0, 200.0), _M: (125.0, 250.0), _L: (125.0, 250.0)}
SPACING_MS = {_H: (50.0, 125.0), _M: (125.0, 250.0), _L: (125.0, 250.0)}
HIGH_MID_GAP_MS = (350.0, 1300.0)    # between the 5th and 6th pulse of a high burst
INTERBURST_S = {_H: (2.5, 15.0), _M: (2.5, 30.0), _L: (15.0, None)}
# low: above 15 s, or no repeat at all (0 in a clinic file)
