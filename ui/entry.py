"""Console entry point: the core's command line, with the window plugged in.

Kept free of Qt imports so that headless commands (export, verify...) start
fast and work on machines without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from monitor.app.cli import main as cli_main
from monitor.errors import MonitorError

if TYPE_CHECKING:  # the CLI's start stays light: the service loads with the window
    from monitor.record.service import EventLog


def launch(log: EventLog | MonitorError, demo: dict[str, Any] | None) -> int:
    from ui.app import run  # Qt: for the window alone (see the module's docstring)
    return run(log, demo)


def launch_board(url: str, args: Any) -> int:
    from ui.board.app import run_board  # Qt: for the board alone
    return run_board(url, chairs=args.chairs, patient_label=args.patient)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=launch, board=launch_board)


if __name__ == "__main__":
    sys.exit(main())
