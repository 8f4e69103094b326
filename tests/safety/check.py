"""The check ``make test`` runs after its pytest runs:

    python -m tests.safety.check RESULTS_DIR

It reads every results file the runs wrote (``KM_HAZARD_RESULTS``) and fails, listing
them, when a hazard of the log that is not OPEN has no passing test naming it. A test
that failed or was skipped does not count; nor does a run that wrote no file (the
directory is cleared at the start of ``make test``, so an earlier run cannot count).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.safety.hazards import Hazard, HazardLogError, load
from tests.safety.plugin import log_dir


def proven(results_dir: Path) -> tuple[set[str], int]:
    """The hazard ids that had a passing test in the runs of ``results_dir``, and how
    many runs wrote there."""
    runs = sorted(results_dir.glob("run-*.json")) if results_dir.is_dir() else []
    ids: set[str] = set()
    for path in runs:
        for entry in json.loads(path.read_text("utf-8"))["tests"].values():
            if entry["passed"] is True:
                ids.update(entry["hazards"])
    return ids, len(runs)


def untraced(hazards: dict[str, Hazard], ids: set[str]) -> list[Hazard]:
    return [h for key, h in sorted(hazards.items()) if not h.is_open and key not in ids]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.safety.check RESULTS_DIR", file=sys.stderr)
        return 2
    try:
        hazards = load(log_dir())
    except HazardLogError as exc:
        print("hazard log is broken:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 1
    ids, runs = proven(Path(args[0]))
    if runs == 0:
        print(f"hazard check: no test results in {args[0]} (run pytest with "
              "KM_HAZARD_RESULTS set, as make test does)", file=sys.stderr)
        return 1
    missing = untraced(hazards, ids)
    if missing:
        print(f"hazard check: {len(missing)} hazard(s) not OPEN have no passing test "
              "naming them:", file=sys.stderr)
        for h in missing:
            print(f"  {h.id} ({h.source}): {h.title}", file=sys.stderr)
        return 1
    opened = sum(h.is_open for h in hazards.values())
    print(f"hazard check: {len(hazards) - opened} controlled hazards each proven by a "
          f"passing test ({runs} runs); {opened} OPEN")
    return 0


if __name__ == "__main__":
    sys.exit(main())
