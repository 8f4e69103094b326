"""Reading a whole session at once.

A 24 h session is ~90,000 events, each a few new objects that live as long as the
session and hold no reference cycles. While they are made, Python's cyclic garbage
collector would otherwise run hundreds of times and walk every object made so far,
which costs more than the reading itself. It is paused for the bulk read and resumed
after (cycles made meanwhile are collected then); nested uses resume once, at the end.

Worth it: reopening and folding a 24 h session takes 1.36-1.61x as long with the
collector running (medians of 7 interleaved pairs in each of three runs beside other
work on 2 cores, e.g. 944 ms against 649 ms; `python -m bench.run "speed tricks"`,
7 Dec 2026); without the pause the reopen and fold budget (1.5x what sqlite3 alone takes
to read the same rows) does not hold.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk() -> Iterator[None]:
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
