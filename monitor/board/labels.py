"""What the board calls each patient: initials or a pseudonym, made distinct when two
chairs' patients would otherwise read the same ("D.P." and "D.P.")."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
TAG = 4  # hex characters of a pseudonym; longer only when two patients share them


def tag(patient_id: str, length: int = TAG) -> str:
    """A stable, non-identifying tag of a patient id (the same patient, the same tag)."""
    return hashlib.sha256(patient_id.encode()).hexdigest()[:length].upper()


def pseudonym(patient_id: str, length: int = TAG) -> str:
    return "Patient " + tag(patient_id, length)


def distinct(shown: Mapping[K, tuple[str, str]]) -> dict[K, str]:
    """Each key's label, given ``(label, patient_id)`` per key. A label that two
    different patients share gets each patient's tag (``D.P. ·3F2A``; a pseudonym is
    lengthened instead), long enough to tell them apart; the same patient keeps the
    same label."""
    patients: dict[str, set[str]] = defaultdict(set)
    for label, pid in shown.values():
        patients[label].add(pid)
    out: dict[K, str] = {}
    for key, (label, pid) in shown.items():
        others = patients[label] - {pid}
        if not others:
            out[key] = label
            continue
        length = TAG
        while length < 64 and any(tag(o, length) == tag(pid, length) for o in others):
            length += 2
        is_pseudonym = label == pseudonym(pid)
        out[key] = pseudonym(pid, length) if is_pseudonym else f"{label} ·{tag(pid, length)}"
    return out
