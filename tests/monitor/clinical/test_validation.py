from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.clinical.scales import validate_assessment
from monitor.clinical.validation import PLAUSIBLE, validate_vitals
from monitor.errors import ValidationError


@pytest.mark.parametrize(("text", "expected"), [
    ("36.8", 36.8), ("36,8", 36.8), (" 36.8 ", 36.8), ("37", 37.0), ("36,", 36.0),
])
def test_temperature_accepts_point_or_comma(text, expected):
    assert validate_vitals({"temp": text})["temp"] == expected


@pytest.mark.parametrize(("fields", "field", "needle"), [
    ({"sbp": ""}, "sbp", "enter at least one value"),
    ({"sbp": "abc"}, "sbp", "whole number from 10 to 300"),
    ({"sbp": "120/"}, "sbp", "systolic/diastolic"),
    ({"sbp": "/80"}, "sbp", "systolic/diastolic"),
    ({"sbp": "1,234"}, "sbp", "whole number"),
    ({"sbp": "120.5"}, "sbp", "whole number"),
    ({"hr": "-60"}, "hr", "from 0 to 250"),
    ({"hr": "999"}, "hr", "from 0 to 250"),
    ({"spo2": "-999"}, "spo2", "from 0 to 100"),
    ({"spo2": "8388607"}, "spo2", "from 0 to 100"),
    ({"temp": "36.8.1"}, "temp", "at most 1 decimal from 30 to 43"),
    ({"temp": "nan"}, "temp", "at most 1 decimal from 30 to 43"),
    ({"temp": "inf"}, "temp", "at most 1 decimal from 30 to 43"),
    ({"temp": "36.85"}, "temp", "at most 1 decimal from 30 to 43"),  # refused, never rounded
    ({"sbp": "80", "dbp": "90"}, "dbp", "below systolic"),
    ({"hr": "70", "o2": "helium"}, "o2", "air or oxygen"),
    ({"hr": "70", "missing": {"sbp": "forgot"}}, "sbp", "one of: not measured"),
])
def test_bad_vitals_name_field_and_what_is_allowed(fields, field, needle):
    with pytest.raises(ValidationError) as err:
        validate_vitals(fields)
    found = err.value.by_field()
    assert field in found, err.value
    assert needle in str(found[field])


def test_every_bad_field_reported_at_once():
    with pytest.raises(ValidationError) as err:
        validate_vitals({"sbp": "x", "hr": "1000", "spo2": "101", "rr": "71", "temp": "50"})
    assert {e.field for e in err.value.errors} == {"sbp", "hr", "spo2", "rr", "temp"}
    assert "Heart rate: 1000" in str(err.value)


def test_bp_typed_in_one_field_fills_both_and_map():
    p = validate_vitals({"sbp": "128/82"})
    assert (p["sbp"], p["dbp"], p["map"], p["map_measured"]) == (128, 82, 97.3, False)
    assert p["missing"] == {"hr": "not measured", "spo2": "not measured",
                            "rr": "not measured", "temp": "not measured"}


def test_measured_map_is_kept():
    p = validate_vitals({"sbp": "128", "dbp": "82", "map": "100"})
    assert (p["map"], p["map_measured"]) == (100, True)


def test_assessment_cadss6_total_and_bounds():
    p = validate_assessment({"cadss6": [0, 1, 2, 3, 4, 4]})
    assert p["cadss6_total"] == 14
    with pytest.raises(ValidationError) as err:
        validate_assessment({"cadss6": [0, 1, 2, 3, 4, 5], "moaas": "6", "nausea": "awful"})
    assert {e.field for e in err.value.errors} == {"cadss_item", "moaas", "nausea"}
    with pytest.raises(ValidationError, match="rate at least one item"):
        validate_assessment({})


VITAL_KEYS = ("sbp", "dbp", "hr", "spo2", "rr", "temp", "map")
junk = st.one_of(st.text(max_size=12), st.integers(-10**9, 10**9),
                 st.floats(allow_nan=True, allow_infinity=True), st.none(),
                 st.sampled_from(["120/80", "36,8", "", " ", "1e3", "0x10", "١٢٠", "--5"]))


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(VITAL_KEYS), junk, max_size=7))
def test_vitals_parser_only_raises_validation_error_and_never_passes_out_of_range(fields):
    try:
        payload = validate_vitals(fields)
    except ValidationError:
        return
    for key in ("sbp", "dbp", "hr", "spo2", "rr", "temp"):
        if key in payload:
            rng = PLAUSIBLE[key]
            assert rng.low <= payload[key] <= rng.high
    if "sbp" in payload and "dbp" in payload:
        assert payload["dbp"] < payload["sbp"]


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["moaas", "rass", "pain", "dissociation", "acvpu",
                                        "nausea", "comment", "cadss6"]),
                       st.one_of(junk, st.lists(junk, max_size=7)), max_size=6))
def test_assessment_parser_only_raises_validation_error(fields):
    try:
        payload = validate_assessment(fields)
    except ValidationError:
        return
    for key in ("moaas", "rass", "pain", "dissociation"):
        if key in payload:
            assert PLAUSIBLE[key].low <= payload[key] <= PLAUSIBLE[key].high


def test_device_sample_keeps_only_what_the_device_sent():
    assert validate_vitals({"hr": "72", "spo2": "97"}, "device") == {"hr": 72, "spo2": 97}
    manual = validate_vitals({"hr": "72", "spo2": "97"})
    assert "o2" not in manual  # left out: the recorder carries the last one forward
    assert manual["missing"]["sbp"] == "not measured"
