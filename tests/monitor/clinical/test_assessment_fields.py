"""An assessment refuses a field it does not have, naming it and what is allowed, and
stores nothing (a typed CADSS-6 total is computed from its items, never taken)."""

from __future__ import annotations

import pytest

from monitor.errors import ValidationError
from monitor.model.events import EventKind


@pytest.mark.hazard("H-026")
@pytest.mark.parametrize(("fields", "refused", "allowed"), [
    ({"moaas": 5, "cadss6_total": 0}, "cadss6_total", "give them as cadss6"),
    ({"moaas": 5, "sedation": 3}, "sedation", "not part of an assessment; one of: moaas"),
    ({"moaas": 5, "MOAAS": 3}, "MOAAS", "not part of an assessment"),
    ({"moaas": 5, "cadss6": [0] * 6, "comment": "calm"}, None, None),
    ({"rass": 0, "pain": 3, "dissociation": 1, "acvpu": "A", "nausea": "none"}, None, None),
])
def test_unknown_assessment_fields_are_refused_by_name(recorder, fields, refused, allowed):
    if refused is None:
        ev = recorder.record_assessment(fields, "RN7")
        assert set(ev.payload) - {"cadss6_total"} == set(fields)
        return
    with pytest.raises(ValidationError) as err:
        recorder.record_assessment(fields, "RN7")
    (named,) = [e for e in err.value.errors if e.field == refused]
    assert allowed in named.allowed
    assert refused in str(err.value)
    assert not recorder.session.entries_of(EventKind.ASSESSMENT)    # nothing stored


@pytest.mark.hazard("H-026")
def test_an_amendment_with_an_unknown_field_names_it_once(recorder):
    ev = recorder.record_assessment({"moaas": 5, "cadss6": [1] * 6}, "RN7")
    with pytest.raises(ValidationError) as err:
        recorder.amend("RN7", ev.seq, {"sedation": 4}, "typing error")
    assert [e.field for e in err.value.errors] == ["sedation"]
    amended = recorder.amend("RN7", ev.seq, {"moaas": 4}, "typing error")
    assert amended.payload["values"]["cadss6_total"] == 6      # recomputed from the items
