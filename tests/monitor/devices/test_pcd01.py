"""PCD-01 parsing and mapping, on vendors' published example messages
(sources are named in tests/monitor/devices/hl7/samples.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from monitor.devices.pcd01 import Rejected, parse_message
from tests.monitor.devices.hl7 import samples

BERLIN = ZoneInfo("Europe/Berlin")


def values(parsed):
    return [(s.param, s.value, s.observed_at.astimezone(UTC), s.code) for s in parsed.samples]


def test_ge_b40_reference_manual_example():
    p = parse_message(samples.GE_B40.encode(), UTC)
    when = datetime(2013, 1, 22, 13, 41, tzinfo=UTC)   # OBR-7, no OBX-14
    assert p.device_id == "080019FFFE0B4020"            # OBX-18 wins over MSH-3
    assert p.control_id == "004097134535"
    # 149522 (pulse from the arterial line) is a heart rate too, ranked below ECG.
    assert values(p) == [("hr", 80, when, 149522), ("hr", 80, when, 147842),
                         ("spo2", 100, when, 150456),
                         ("rr", 18, when, 151562), ("rr", 30, when, 151562),
                         ("temp", 37.1, when, 150344), ("temp", 36.5, when, 150344)]
    # Invasive arterial pressure is not NIBP: kept as unknown, never as SBP.
    assert set(p.unknown) == {"150033", "150034", "150035", "148066"}
    # Who and where: shown wherever the device is listed, PID-3 checked at capture.
    assert (p.patient_id, p.patient_name, p.bed, p.sender_name) == (
        "HED12", "LAZY, KITTY", "SURGERY V2", "B40_GE")
    assert p.unknown["150033"] == "MDC_PRESS_BLD_ART_SYS"
    assert p.skipped == {"containment": 6}
    assert p.problems == []


def test_mindray_vs900_cuff_family_and_clinic_time_zone():
    p = parse_message(samples.MINDRAY_VS900.encode(), BERLIN)
    cuff = datetime(2019, 12, 6, 10, 10, 16, tzinfo=UTC)   # 11:10:16 in Berlin (CET)
    now = datetime(2019, 12, 6, 10, 34, 52, tzinfo=UTC)
    assert p.device_id == "00A0370098007A80"
    assert values(p) == [("spo2", 99, now, 150456), ("hr", 94, now, 149530),
                         ("sbp", 147, cuff, 150301), ("map", 109, cuff, 150303),
                         ("dbp", 90, cuff, 150302),
                         ("temp", 35.1, datetime(2019, 12, 6, 10, 34, 15, tzinfo=UTC), 188496)]
    assert [s.episodic for s in p.samples] == [False, False, True, True, True, False]
    assert p.unknown == {"150488": "MDC_BLD_PERF_INDEX"}


def test_comen_nc5_offsets_vendor_rows_and_sender_identity():
    p = parse_message(samples.COMEN_NC5.encode(), BERLIN)
    when = datetime(2026, 7, 26, 15, 13, 31, tzinfo=UTC)   # +0800 wins over the clinic zone
    assert p.device_id == "KC575235977G"                   # MSH-4: no EUI-64, MSH-3 empty
    assert values(p) == [("sbp", 120, when, 150301), ("map", 90, when, 150303),
                         ("dbp", 80, when, 150302), ("spo2", 98, when, 150456),
                         ("hr", 60, when, 149522), ("temp", 39.0, when, 150344)]
    assert set(p.unknown) == {"2279", "2267", "188740"}
    assert p.skipped == {"not numeric": 1}
    assert p.problems == []


def test_philips_mdil_notation_and_status_x():
    p = parse_message(samples.PHILIPS_EFFICIA.encode(), UTC)
    assert values(p) == [("hr", 80, datetime(2024, 3, 5, 10, 15, tzinfo=UTC), 147842)]
    assert p.skipped == {"status X": 1}
    assert p.device_id == "EFFICIA"


def test_nist_pcd_message_with_ucum_units():
    p = parse_message(samples.NIST_ACME_UCUM.encode(), BERLIN)
    when = datetime(2011, 6, 2, 4, 58, 42, tzinfo=UTC)
    # OBX-18 here is not an EUI-64, so MSH-3's EUI-64 names the device.
    assert p.device_id == "080019FFFE3ED02D"
    assert values(p) == [("sbp", 120, when, 150021), ("dbp", 80, when, 150022),
                         ("map", 93, when, 150023), ("hr", 63, when, 149546)]
    assert p.unknown == {}


def test_gateway_placeholders_are_skipped_not_recorded():
    p = parse_message(samples.MINDRAY_PLACEHOLDERS.encode(), UTC)
    assert p.samples == []
    assert p.skipped == {"placeholder": 3}


def obx_message(*rows: str, msh7: str = "20260302093000", obr7: str = "") -> bytes:
    return ("\r".join([f"MSH|^~\\&|MON^0011223344556677^EUI-64|||| {msh7}||ORU^R01|M1|P|2.6"
                       .replace("| ", "|"),
                       f"OBR|1||||||{obr7}", *rows]) + "\r").encode()


@pytest.mark.parametrize(("value", "skipped"), [("8388607", True), ("-8388608", True),
                                                ("-100", True), ("97", False)])
def test_ieee_special_values_are_placeholders(value, skipped):
    p = parse_message(obx_message(
        f"OBX|1|NM|150456^^MDC|1|{value}|262688^^MDC|||||R"), UTC)
    assert (p.samples == []) is skipped


def test_time_falls_back_from_obx14_to_obr7_to_msh7():
    rows = ["OBX|1|NM|150456^^MDC|1|97|262688^^MDC|||||R|||20260302091500+0100",
            "OBX|2|NM|147842^^MDC|1|70|264864^^MDC|||||R"]
    with_obr = parse_message(obx_message(*rows, obr7="20260302092000"), UTC)
    assert [s.observed_at for s in with_obr.samples] == [
        datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 3, 2, 9, 20, tzinfo=UTC)]
    no_obr = parse_message(obx_message(*rows), UTC)
    assert no_obr.samples[1].observed_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_units_in_fahrenheit_are_converted_and_wrong_units_refused():
    p = parse_message(obx_message("OBX|1|NM|150344^^MDC|1|98.6|[degF]^^UCUM|||||R",
                                  "OBX|2|NM|150456^^MDC|1|97|266016^MDC_DIM_MMHG^MDC|||||R"), UTC)
    assert [(s.param, s.value) for s in p.samples] == [("temp", 37.0)]
    assert p.problems == ["OBX 2 (150456): OBX-6 unit '266016' is not allowed; "
                          "expected % (MDC or UCUM)"]


def test_rows_with_missing_trailing_fields():
    p = parse_message(obx_message("OBX|1|NM|150456", "OBX|2|NM|147842^HR^MDC|1|72",
                                  "OBX|3|NM|151562^^MDC|1|abc|264928^^MDC"), UTC)
    assert p.samples == []
    assert p.skipped == {"no value": 1}
    assert p.problems == ["OBX 2 (HR): OBX-6 unit '(empty)' is not allowed; "
                          "expected /min (MDC or UCUM)",
                          "OBX 3 (151562): OBX-5 'abc' is not a number"]


def test_bad_times_name_the_field():
    p = parse_message(obx_message("OBX|1|NM|150456^^MDC|1|97|262688^^MDC|||||R|||2026-03-02"),
                      UTC)
    assert p.problems == ["OBX 1 (150456): OBX-14 '2026-03-02' is not an HL7 time: "
                          "YYYYMMDDHHMM[SS[.S]][+/-ZZZZ]"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"hello, this is not HL7", "not an HL7 message: no MSH segment"),
    (b"MSH|^~\\&|A|B|||20260302||ADT^A01|9|P|2.6\r",
     "MSH-9 message type ADT^A01 is not supported: only ORU^R01 (IHE PCD-01)"),
    (b"MSH|^~\\&|A|B|||20260302||ORU^R01||P|2.6\r", "MSH-10 message control ID is missing"),
    (b"MSH|^~\\&|||||||ORU^R01|5|P|2.6\rOBX|1|NM|150456^^MDC|1|97|262688^^MDC\r",
     "no device identity: OBX-18 (EUI-64), MSH-3/MSH-4 and PV1-3 are all empty"),
])
def test_unreadable_messages_are_rejected_with_the_field(data, reason):
    with pytest.raises(Rejected) as err:
        parse_message(data, UTC)
    assert err.value.reason == reason


def test_lone_surrogate_bytes_are_refused_not_guessed():
    data = obx_message("OBX|1|NM|150456^SpO2 X^MDC|1|97|262688^^MDC").replace(
        b"SpO2 X", b"SpO2 \xed\xa0\x80")   # a UTF-16 surrogate half, invalid in UTF-8
    with pytest.raises(Rejected) as err:
        parse_message(data, UTC)
    assert err.value.control_id == "M1"
    assert err.value.reason.startswith("MSH-18 character set UTF-8 (default): invalid byte "
                                       "sequence at byte")


def test_latin1_declared_in_msh18_is_read_as_latin1():
    data = (b"MSH|^~\\&|Mon\xe9||||||ORU^R01|7|P|2.6||||||8859/1\r"
            b"OBX|1|NM|150456^^MDC|1|97|262688^^MDC|||||R|||20260302093000\r")
    p = parse_message(data, UTC)
    assert p.device_id == "Mon\u00e9"
    assert [s.value for s in p.samples] == [97]
