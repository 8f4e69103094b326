"""The board's patient labels: two patients who would read the same never do."""

from __future__ import annotations

import pytest

from monitor.board.labels import distinct, pseudonym, tag


@pytest.mark.hazard("H-243")
def test_two_patients_with_the_same_initials_get_distinct_labels() -> None:
    labels = distinct({"c1": ("D.P.", "MRN-1"), "c2": ("D.P.", "MRN-2"), "c3": ("J.D.", "MRN-3")})
    assert labels["c1"] != labels["c2"]
    assert labels["c1"].startswith("D.P. ·") and labels["c2"].startswith("D.P. ·")
    assert labels["c3"] == "J.D."  # a unique label is left alone


def test_the_same_patient_on_two_chairs_keeps_one_label() -> None:
    labels = distinct({"c1": ("D.P.", "MRN-1"), "c2": ("D.P.", "MRN-1")})
    assert labels == {"c1": "D.P.", "c2": "D.P."}


def test_colliding_pseudonyms_are_lengthened_until_distinct() -> None:
    # find two ids whose 4-character tags collide (the birthday bound: a few hundred)
    seen: dict[str, str] = {}
    for n in range(100_000):
        pid = f"MRN-{n}"
        if (t := tag(pid)) in seen:
            a, b = seen[t], pid
            break
        seen[t] = pid
    assert pseudonym(a) == pseudonym(b)
    labels = distinct({"c1": (pseudonym(a), a), "c2": (pseudonym(b), b)})
    assert labels["c1"] != labels["c2"]
    assert labels["c1"].startswith(pseudonym(a)) and len(labels["c1"]) > len(pseudonym(a))
