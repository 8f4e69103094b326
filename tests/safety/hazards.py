"""The hazard log (docs/safety/*.toml, read together): load it and say what is wrong.

The format is described in docs/safety/README.md. ``load`` returns the hazards by id
and raises ``HazardLogError`` naming every problem (file, hazard id, field, what is
allowed), so a broken log fails loudly instead of tracing nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOG_DIR = Path(__file__).resolve().parents[2] / "docs" / "safety"

SEVERITIES = ("catastrophic", "critical", "serious", "minor")
PROBABILITIES = ("frequent", "probable", "occasional", "remote", "improbable")
STATUSES = ("controlled", "OPEN")
ID_PATTERN = re.compile(r"^H-\d{3}$")
TEXT_FIELDS = ("id", "title", "situation", "harm")
LIST_FIELDS = ("causes", "controls")
CHOICE_FIELDS = {"severity": SEVERITIES, "probability_before": PROBABILITIES,
                 "probability_after": PROBABILITIES, "status": STATUSES}
KNOWN_FIELDS = {*TEXT_FIELDS, *LIST_FIELDS, *CHOICE_FIELDS, "issue", "tests"}


class HazardLogError(ValueError):
    """The log cannot be trusted; ``problems`` lists each thing wrong, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("hazard log: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    severity: str
    status: str
    issue: int | None
    source: str

    @property
    def is_open(self) -> bool:
        return self.status == "OPEN"


def _problems(entry: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    for name in TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            out.append(f"{where}: '{name}' is required (a non-empty text)")
    for name in LIST_FIELDS:
        value = entry.get(name)
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v.strip() for v in value)):
            out.append(f"{where}: '{name}' is required (a non-empty list of texts)")
    for name, allowed in CHOICE_FIELDS.items():
        if entry.get(name) not in allowed:
            out.append(f"{where}: '{name}' is {entry.get(name)!r}; allowed: "
                       + ", ".join(allowed))
    ident = entry.get("id")
    if isinstance(ident, str) and not ID_PATTERN.match(ident):
        out.append(f"{where}: 'id' {ident!r} must look like H-001 (H, a dash, three digits)")
    issue = entry.get("issue")
    if entry.get("status") == "OPEN" and not (isinstance(issue, int) and issue > 0):
        out.append(f"{where}: an OPEN hazard needs 'issue' (the number of the issue "
                   "its control waits for)")
    if issue is not None and not isinstance(issue, int):
        out.append(f"{where}: 'issue' is {issue!r}; allowed: an issue number")
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        out.append(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: "
                   + ", ".join(sorted(KNOWN_FIELDS)))
    return out


def load(log_dir: Path = LOG_DIR) -> dict[str, Hazard]:
    """Every hazard of every ``*.toml`` file of ``log_dir``, by id."""
    files = sorted(log_dir.glob("*.toml"))
    problems: list[str] = []
    if not files:
        problems.append(f"{log_dir}: no hazard file (*.toml)")
    hazards: dict[str, Hazard] = {}
    for path in files:
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path.name}: not readable TOML ({exc})")
            continue
        extra = sorted(set(data) - {"hazard"})
        if extra:
            problems.append(f"{path.name}: unknown table(s) {', '.join(extra)}; "
                            "allowed: [[hazard]]")
        entries = data.get("hazard", [])
        if not isinstance(entries, list):
            problems.append(f"{path.name}: 'hazard' must be an array of tables ([[hazard]])")
            continue
        for n, entry in enumerate(entries, 1):
            where = f"{path.name} {entry.get('id', f'entry {n}')}"
            found = _problems(entry, where)
            problems.extend(found)
            ident = entry.get("id")
            if found or not isinstance(ident, str):
                continue
            if ident in hazards:
                problems.append(f"{where}: id {ident} is also in {hazards[ident].source}; "
                                "ids are unique across all files")
                continue
            hazards[ident] = Hazard(ident, entry["title"], entry["severity"],
                                    entry["status"], entry.get("issue"), path.name)
    if problems:
        raise HazardLogError(problems)
    return hazards
