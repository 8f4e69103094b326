"""Console entry point: the core's command line, with the window plugged in.

Kept free of Qt imports so that headless commands (export, verify...) start
fast and work on machines without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from monitor.cli import main as cli_main
from monitor.errors import MonitorError
from monitor.eventlog import EventLog


def launch(log: EventLog | MonitorError, demo: dict[str, Any] | None) -> int:
    from ui.app import run
    return run(log, demo)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=launch)


if __name__ == "__main__":
    sys.exit(main())
